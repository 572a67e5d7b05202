/** The bench's market shape: the 200-symbol universe, which 20 symbols each client takes, and the ~200-byte trade envelope. */
import { simulatedUniverse } from '../../src/adapters/simulated/universe'

/** The 200 tickers of the simulated market (the same universe the service knows). */
export const universe: string[] = simulatedUniverse.map((t) => t.ticker)

/**
 * The `count` symbols client `i` subscribes to: consecutive blocks, so every symbol ends up with
 * the same number of subscribers (N × count / 200) when N is a multiple of 200 / count.
 */
export function symbolsFor(i: number, count: number, all: string[] = universe): string[] {
  const out: string[] = []
  for (let j = 0; j < count; j++) out.push(all[(i * count + j) % all.length]!)
  return out
}

/**
 * The symbols client (or user) `i` takes: block `i % blocks` of the universe's whole blocks (10 of
 * 20 symbols), so client i and user i % users (users a multiple of the block count) agree. Plain
 * symbolsFor(i) wraps the 214 symbols unevenly and left most clients off their user's watchlist.
 */
export function blockSymbols(i: number, count: number): string[] {
  return symbolsFor(i % Math.max(1, Math.floor(universe.length / count)), count)
}

/** A quote envelope as the service sends it (core/quote-state.ts QuoteData), for the bare baseline: about 260 bytes. */
export function quoteEnvelope(symbol: string, seq: number, epoch: string, e: { bp: number; ap: number; bs: number; as: number; bx: number; ax: number; t: number }): string {
  return JSON.stringify({
    type: 'quote',
    symbol,
    seq,
    epoch,
    event_ts: e.t,
    ts: Date.now(),
    source: 'massive',
    data: { bid: e.bp, ask: e.ap, bid_size: e.bs, ask_size: e.as, bid_exchange: e.bx, ask_exchange: e.ax, condition: 0, t: e.t, count: 1 },
  })
}

/**
 * A trade envelope as the service sends it (src/core/protocol.ts marketMessage with TradeData):
 * the baselines send exactly this shape, so payload sizes match (about 190–200 bytes).
 */
export function tradeEnvelope(symbol: string, seq: number, epoch: string, p: number, s: number, t: number): string {
  return JSON.stringify({
    type: 'trade',
    symbol,
    seq,
    epoch,
    event_ts: t,
    ts: Date.now(),
    source: 'massive',
    data: { p, s, t, count: 1, volume: s },
  })
}
