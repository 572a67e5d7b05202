/** The UpstreamFeed contract: one suite every live feed (simulated, Massive over WebSocket) must pass, checked against the simulated market (trades, minute bars, and its NBBO where quotes are subscribed). */
import { afterEach, describe, expect, it } from 'bun:test'
import { minuteBars, tradesBetween } from '../../src/adapters/simulated/market'
import { quotesOfMinute } from '../../src/adapters/simulated/quote-model'
import type { FeedSession, FeedStatusEvent, LiveBar, Quote, Trade, UpstreamFeed } from '../../src/ports/upstream'
import { Changes } from '../support/wait'

/** A feed over the simulated market, and the market's time as the feed sees it. */
export interface FeedHarness {
  /** With quotes on (the simulated market's NBBO at its default rate; a plan with quotes). */
  feed: UpstreamFeed
  /** The market's time now. */
  now(): number
  /** Moves the market's time forward to `t`; the feed then emits what happened in between (at once, or at its next tick). */
  moveTo(t: number): void
  /** The connection of every open session fails, as on a network failure. */
  drop(): void
  /** Closes what the harness opened (sessions the test left open included). */
  close(): Promise<void>
}

const MINUTE = 60_000

/** One session and everything its handlers received; `until` re-checks a condition on every event. */
function openSession(feed: UpstreamFeed) {
  const seen = {
    trades: [] as Trade[],
    quotes: [] as Quote[],
    bars: [] as LiveBar[],
    statuses: [] as FeedStatusEvent[],
    closed: [] as [number, string][],
  }
  const changes = new Changes()
  const session: FeedSession = feed.open({
    trades: (trades) => (seen.trades.push(...trades), changes.changed()),
    quotes: (quotes) => (seen.quotes.push(...quotes), changes.changed()),
    bars: (bars) => (seen.bars.push(...bars), changes.changed()),
    status: (event) => (seen.statuses.push(event), changes.changed()),
    closed: (code, reason) => (seen.closed.push([code, reason]), changes.changed()),
  })
  const channels = () => seen.statuses.flatMap((s) => (s.kind === 'subscribed' ? s.channels : []))
  const of = (symbol: string) => seen.trades.filter((t) => t.symbol === symbol)
  const until = (condition: () => boolean, label: string) => changes.until(condition, label)
  /** Waits until `symbol`'s trades reach market time `t` or later. */
  const tradedUntil = (symbol: string, t: number) => until(() => (of(symbol).at(-1)?.t ?? -1) >= t, `${symbol} trades up to ${t}`)
  const authenticated = () => until(() => seen.statuses.some((s) => s.kind === 'authenticated'), 'authenticated')
  return { session, seen, channels, of, until, tradedUntil, authenticated }
}

/** The simulated NBBO of `symbol` with from <= t < to (the provider's condition aside: Massive sends one, 0 for none). */
function marketQuotes(symbol: string, from: number, to: number): Omit<Quote, 'condition'>[] {
  const out: Quote[] = []
  for (let m = Math.floor(from / MINUTE) * MINUTE; m < to; m += MINUTE)
    out.push(...quotesOfMinute(symbol, tradesBetween(symbol, m, m + MINUTE)).filter((q) => q.t >= from && q.t < to))
  return out
}
const withoutCondition = ({ condition, ...quote }: Quote) => quote

/** The channels a subscribe of `symbols` is acknowledged with, in order. */
const channelsOf = (symbols: string[]) => symbols.flatMap((s) => [`T.${s}`, `AM.${s}`])

/** `make` builds a feed whose market clock starts at `start` (a busy regular session) and that the harness moves. */
export function upstreamFeedContract(name: string, start: number, make: () => Promise<FeedHarness>): void {
  describe(`UpstreamFeed contract: ${name}`, () => {
    let harness: FeedHarness | null = null
    const setUp = async () => (harness = await make())
    afterEach(async () => {
      await harness?.close()
      harness = null
    })

    /** A session that is authenticated and acknowledged for `symbols` (subscribed after authentication). */
    async function subscribed(h: FeedHarness, symbols: string[]) {
      const s = openSession(h.feed)
      h.moveTo(h.now()) // time does not move, but the provider answers
      await s.authenticated()
      s.session.subscribe(symbols)
      await s.until(() => channelsOf(symbols).every((c) => s.channels().includes(c)), `acks for ${symbols}`)
      return s
    }

    it('should report connected, then authenticated, once each and before anything else', async () => {
      const h = await setUp()
      const s = openSession(h.feed)
      h.moveTo(h.now())
      await s.authenticated()
      expect(s.seen.statuses.map((e) => e.kind)).toEqual(['connected', 'authenticated'])
      expect(s.seen.trades).toEqual([])
      expect(s.seen.closed).toEqual([])
    })

    it('should keep the symbols subscribed before authentication and stream them once authenticated', async () => {
      const h = await setUp()
      const s = openSession(h.feed)
      s.session.subscribe(['AAPL'])
      s.session.subscribe(['MSFT'])
      s.session.unsubscribe(['MSFT']) // the last call for a symbol wins
      h.moveTo(h.now())
      await s.until(() => s.channels().includes('AM.AAPL'), 'the acks of the early subscribe')
      expect(s.seen.statuses[1]).toEqual({ kind: 'authenticated' })
      expect(s.channels()).toEqual(channelsOf(['AAPL']))
      h.moveTo(start + 20_000)
      await s.tradedUntil('AAPL', start + 15_000)
      expect(s.of('AAPL')).toEqual(tradesBetween('AAPL', start, s.of('AAPL').at(-1)!.t + 1))
      expect(s.of('MSFT')).toEqual([])
    })

    it('should acknowledge a subscribe with a `subscribed` status naming each symbol’s trade and minute channels', async () => {
      const h = await setUp()
      const s = await subscribed(h, ['AAPL', 'MSFT'])
      expect(s.channels()).toEqual(channelsOf(['AAPL', 'MSFT']))
    })

    it("should stream exactly the market's trades of each symbol from the subscribe on, in order, and each closed minute's bar once", async () => {
      const h = await setUp()
      const s = await subscribed(h, ['AAPL', 'MSFT'])
      h.moveTo(start + 3 * MINUTE + 1_000)
      const minutes = [0, 1, 2].map((i) => start + i * MINUTE)
      await s.until(() => s.seen.bars.length >= 2 * minutes.length, 'three minute bars of each symbol')
      for (const symbol of ['AAPL', 'MSFT']) {
        const trades = s.of(symbol)
        expect(trades.at(-1)!.t).toBeGreaterThanOrEqual(start + 3 * MINUTE)
        expect(trades).toEqual(tradesBetween(symbol, start, trades.at(-1)!.t + 1))
        const bars = s.seen.bars.filter((b) => b.symbol === symbol)
        const expected = minutes.map((m) => minuteBars(symbol, m, m + MINUTE, m + MINUTE)[0]!)
        // A provider that does not count a minute's trades (Massive's AM events) sends n = 0.
        expect(bars.map(({ n, ...bar }) => bar)).toEqual(expected.map(({ n, ...bar }) => ({ ...bar, symbol, e: bar.t + MINUTE })))
        bars.forEach((bar, i) => expect([0, expected[i]!.n]).toContain(bar.n))
      }
      expect(s.seen.bars).toHaveLength(2 * minutes.length)
    })

    it('should send a symbol subscribed twice once, and accept a well-formed ticker the market does not know, silently', async () => {
      const h = await setUp()
      const s = await subscribed(h, ['AAPL', 'ZZZZ'])
      s.session.subscribe(['AAPL'])
      h.moveTo(start + 20_000)
      await s.tradedUntil('AAPL', start + 15_000)
      expect(s.of('AAPL')).toEqual(tradesBetween('AAPL', start, s.of('AAPL').at(-1)!.t + 1))
      expect(s.of('ZZZZ')).toEqual([])
    })

    it("should stop a symbol's trades and bars after unsubscribe, and keep the others", async () => {
      const h = await setUp()
      const s = await subscribed(h, ['AAPL', 'MSFT'])
      h.moveTo(start + 10_000)
      await s.tradedUntil('MSFT', start + 5_000)
      s.session.unsubscribe(['MSFT'])
      // Barrier: the provider answers calls in order, so once NVDA is acknowledged the unsubscribe has taken effect.
      s.session.subscribe(['NVDA'])
      await s.until(() => s.channels().includes('AM.NVDA'), 'the NVDA acks')
      const msft = [...s.of('MSFT')]
      h.moveTo(start + MINUTE + 5_000)
      await s.until(() => s.seen.bars.some((b) => b.symbol === 'AAPL'), "AAPL's first minute bar")
      await s.tradedUntil('AAPL', start + MINUTE)
      await s.tradedUntil('NVDA', start + MINUTE)
      expect(s.of('MSFT')).toEqual(msft)
      expect(msft.at(-1)!.t).toBeLessThan(start + 10_000)
      expect(msft).toEqual(tradesBetween('MSFT', start, msft.at(-1)!.t + 1))
      expect(s.seen.bars.filter((b) => b.symbol === 'MSFT')).toEqual([])
    })

    it('should call closed exactly once on close(), deliver nothing after it, and ignore calls made after it', async () => {
      const h = await setUp()
      const s = await subscribed(h, ['AAPL'])
      s.session.close()
      s.session.close()
      await s.until(() => s.seen.closed.length > 0, 'closed')
      expect(s.seen.closed.map(([code]) => code)).toEqual([1000])
      const trades = s.seen.trades.length
      const statuses = s.seen.statuses.length
      expect(() => s.session.subscribe(['MSFT'])).not.toThrow()
      expect(() => s.session.unsubscribe(['AAPL'])).not.toThrow()
      // Barrier: another session streams AAPL past the next moment the closed one could have.
      const other = await subscribed(h, ['AAPL'])
      h.moveTo(start + 20_000)
      await other.tradedUntil('AAPL', start + 15_000)
      expect(s.seen.closed).toHaveLength(1)
      expect(s.seen.trades).toHaveLength(trades)
      expect(s.seen.statuses).toHaveLength(statuses)
    })

    it('should report a failed connection through closed exactly once, with 1006', async () => {
      const h = await setUp()
      const s = await subscribed(h, ['AAPL'])
      h.drop()
      await s.until(() => s.seen.closed.length > 0, 'closed')
      s.session.close()
      const other = await subscribed(h, ['AAPL'])
      h.moveTo(start + 20_000)
      await other.tradedUntil('AAPL', start + 15_000)
      expect(s.seen.closed.map(([code]) => code)).toEqual([1006])
    })

    it("should stream the market's NBBO of a symbol whose quotes are subscribed, acknowledged as Q.<symbol>, and no quotes of the others", async () => {
      const h = await setUp()
      const s = await subscribed(h, ['AAPL', 'MSFT'])
      expect(s.session.subscribeQuotes).toBeFunction()
      s.session.subscribeQuotes!(['AAPL'])
      await s.until(() => s.channels().includes('Q.AAPL'), 'the Q.AAPL ack')
      // Quotes are asked for on demand only: no Q for the symbols subscribed without them.
      expect(s.channels().filter((c) => c.startsWith('Q.'))).toEqual(['Q.AAPL'])
      const through = start + 15_000
      h.moveTo(start + 20_000)
      await s.until(() => (s.seen.quotes.at(-1)?.t ?? -1) >= through, `AAPL quotes up to ${through}`)
      await s.tradedUntil('MSFT', through)
      expect(s.seen.quotes.every((q) => q.symbol === 'AAPL')).toBe(true)
      for (const q of s.seen.quotes) {
        expect(q.bid).toBeGreaterThan(0)
        expect(q.bid).toBeLessThanOrEqual(q.ask)
        expect(q.bidSize).toBeGreaterThan(0)
        expect(q.askSize).toBeGreaterThan(0)
        expect(q.t).toBeGreaterThanOrEqual(start)
        expect(q.t).toBeLessThanOrEqual(start + 20_000)
      }
      // In provider order, each once, from the subscribe on: exactly the market's NBBO (several per trade).
      const quotes = s.seen.quotes.filter((q) => q.t < through)
      expect(quotes.map(withoutCondition)).toEqual(marketQuotes('AAPL', start, through))
      expect(quotes.length).toBeGreaterThan(tradesBetween('AAPL', start, through).length)
      expect(s.seen.quotes.every((q, i) => i === 0 || (q.t >= s.seen.quotes[i - 1]!.t && q.q > s.seen.quotes[i - 1]!.q))).toBe(true)
    })

    it('should keep quotes asked for before authentication, acknowledge them once authenticated and stream them', async () => {
      const h = await setUp()
      const s = openSession(h.feed)
      s.session.subscribe(['AAPL'])
      s.session.subscribeQuotes!(['AAPL'])
      h.moveTo(h.now())
      await s.until(() => s.channels().includes('Q.AAPL'), 'the Q.AAPL ack of the early call')
      expect(s.seen.statuses[1]).toEqual({ kind: 'authenticated' })
      expect(s.channels().filter((c) => c.startsWith('Q.'))).toEqual(['Q.AAPL'])
      const through = start + 5_000
      h.moveTo(start + 10_000)
      await s.until(() => (s.seen.quotes.at(-1)?.t ?? -1) >= through, `AAPL quotes up to ${through}`)
      expect(s.seen.quotes.filter((q) => q.t < through).map(withoutCondition)).toEqual(marketQuotes('AAPL', start, through))
    })

    it("should stop a symbol's quotes after unsubscribeQuotes and keep its trades", async () => {
      const h = await setUp()
      const s = await subscribed(h, ['AAPL'])
      s.session.subscribeQuotes!(['AAPL'])
      await s.until(() => s.channels().includes('Q.AAPL'), 'the Q.AAPL ack')
      h.moveTo(start + 10_000)
      await s.until(() => (s.seen.quotes.at(-1)?.t ?? -1) >= start + 5_000, 'AAPL quotes')
      s.session.unsubscribeQuotes!(['AAPL'])
      // Barrier: the provider answers calls in order, so once NVDA is acknowledged the unsubscribe has taken effect.
      s.session.subscribe(['NVDA'])
      await s.until(() => s.channels().includes('AM.NVDA'), 'the NVDA acks')
      const quotes = s.seen.quotes.length
      h.moveTo(start + 30_000)
      await s.tradedUntil('AAPL', start + 25_000)
      await s.tradedUntil('NVDA', start + 25_000)
      expect(s.seen.quotes).toHaveLength(quotes)
      expect(s.seen.quotes.at(-1)!.t).toBeLessThan(start + 10_000)
      expect(s.of('AAPL')).toEqual(tradesBetween('AAPL', start, s.of('AAPL').at(-1)!.t + 1))
    })
  })
}
