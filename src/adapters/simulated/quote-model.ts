/** The simulated market's NBBO: quotes derived from a minute's trade tape, several per trade, each at-market trade at or inside the spread in force when it prints. */

import { Condition } from '../../core/trade-conditions.ts'
import { MINUTE_MS } from '../../core/market-time.ts'
import type { Quote, Trade } from '../../core/market-types.ts'
import { hash2 } from './trade-model.ts'

/** Quote updates per trade by default (the issue asks for several; real symbols range far higher). */
export const DEFAULT_QUOTES_PER_TRADE = 5

/** Exchange ids quotes are drawn from (Massive stock exchange ids: NYSE, Nasdaq, Arca, Cboe, IEX, MEMX …). */
const EXCHANGES = [1, 2, 3, 4, 7, 8, 10, 11, 12, 15, 17, 19, 20, 21] as const

/** One event of a symbol's tape in the order the provider sends it. */
export type TapeEvent = { kind: 'quote'; quote: Quote } | { kind: 'trade'; trade: Trade }

/** Conditions of prints that may lie away from the market (average price, cash, derivatively priced, out of sequence, contingent). */
const AWAY_FROM_MARKET: ReadonlySet<number> = new Set([
  Condition.AveragePrice,
  Condition.CashSale,
  Condition.DerivativelyPriced,
  Condition.ExtendedHoursOutOfSequence,
  Condition.SoldOutOfSequence,
  Condition.ContingentTrade,
  Condition.QualifiedContingentTrade,
])

/** A trade priced where the market is (a regular sale, an odd lot, Form T, an opening or closing print …): the spread follows these. */
export function isAtMarket(trade: Trade): boolean {
  return trade.c === undefined || !trade.c.some((id) => AWAY_FROM_MARKET.has(id))
}

/**
 * The quotes of one minute, from that minute's complete trades (ascending): `perTrade` quotes
 * before each trade, at times in (previous trade's t, this trade's t] (the first trade's window
 * opens at the minute's start), the last of them at the trade's own t. Every quote brackets the
 * anchor: the trade's price when it is at market, else the last at-market price before it (or,
 * with none yet, the minute's first at-market price), so bid ≤ anchor < ask. The spread is 1–3
 * ticks above a price-dependent base; sizes are 1–20 round lots. Pure in (symbol, trades).
 */
export function quotesOfMinute(symbol: string, trades: readonly Trade[], perTrade = DEFAULT_QUOTES_PER_TRADE): Quote[] {
  if (trades.length === 0 || perTrade <= 0) return []
  const minuteStart = Math.floor(trades[0]!.t / MINUTE_MS) * MINUTE_MS
  const firstAtMarket = trades.find(isAtMarket)
  let anchor = firstAtMarket?.p ?? trades[0]!.p
  let prevT = minuteStart
  const out: Quote[] = []
  for (let i = 0; i < trades.length; i++) {
    const trade = trades[i]!
    if (isAtMarket(trade)) anchor = trade.p
    const gap = trade.t - prevT
    const cents = Math.floor(anchor * 100 + 1e-6)
    const baseTicks = Math.max(1, Math.round(anchor / 100))
    for (let j = 0; j < perTrade; j++) {
      const h = hash2(trade.q, j + 1)
      const spread = baseTicks + (h % 3)
      const below = (h >>> 2) % spread
      const bid = cents - below
      // The last quote before a trade lands on the trade's own time; earlier ones spread over the gap.
      const t = j === perTrade - 1 ? trade.t : prevT + Math.max(gap > 0 ? 1 : 0, Math.floor((gap * (j + 1)) / perTrade))
      out.push({
        symbol,
        bid: bid / 100,
        bidSize: 1 + ((h >>> 8) % 20),
        bidExchange: EXCHANGES[(h >>> 16) % EXCHANGES.length]!,
        ask: (bid + spread) / 100,
        askSize: 1 + ((h >>> 20) % 20),
        askExchange: EXCHANGES[(h >>> 26) % EXCHANGES.length]!,
        t,
        q: trade.q * perTrade + j,
      })
    }
    prevT = trade.t
  }
  return out
}

/**
 * Trades and their quotes merged in provider order: each trade's quotes right before it. Pure in
 * (symbol, trades); `trades` is one complete minute (quotes depend on the previous trade).
 */
export function tapeOfMinute(symbol: string, trades: readonly Trade[], perTrade = DEFAULT_QUOTES_PER_TRADE): TapeEvent[] {
  const quotes = quotesOfMinute(symbol, trades, perTrade)
  const out: TapeEvent[] = []
  let k = 0
  for (let i = 0; i < trades.length; i++) {
    for (let j = 0; j < perTrade && k < quotes.length; j++) out.push({ kind: 'quote', quote: quotes[k++]! })
    out.push({ kind: 'trade', trade: trades[i]! })
  }
  return out
}

/** The last quote at or before `atMs` among a minute's quotes (ascending by t), or null. */
function lastQuoteIn(quotes: readonly Quote[], atMs: number): Quote | null {
  let last: Quote | null = null
  for (const quote of quotes) {
    if (quote.t > atMs) break
    last = quote
  }
  return last
}

/**
 * The NBBO in force at `atMs` (a snapshot's lastQuote): the last quote of the current minute up to
 * then (the next trade's quotes come before it), else the last quote of the last trade's minute;
 * null without trades. `tradesOfMinute` gives a whole minute's trades.
 */
export function nbboAt(
  symbol: string,
  atMs: number,
  lastTradeT: number,
  tradesOfMinute: (minuteStartMs: number) => Trade[],
  perTrade = DEFAULT_QUOTES_PER_TRADE,
): Quote | null {
  const minute = Math.floor(atMs / MINUTE_MS) * MINUTE_MS
  const current = lastQuoteIn(quotesOfMinute(symbol, tradesOfMinute(minute), perTrade), atMs)
  if (current !== null || lastTradeT <= 0) return current
  const tradeMinute = Math.floor(lastTradeT / MINUTE_MS) * MINUTE_MS
  return tradeMinute === minute ? null : lastQuoteIn(quotesOfMinute(symbol, tradesOfMinute(tradeMinute), perTrade), atMs)
}
