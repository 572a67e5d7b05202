/** The simulated NBBO: several quotes per trade, at-market trades at or inside the spread in force, the same quotes on every read, and the feed sending them in order. */

import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../memory/simulated-clock'
import type { Quote, Trade } from '../../core/market-types'
import { MINUTE_MS } from '../../core/market-time'
import { tradesBetween } from './market'
import { isAtMarket, quotesOfMinute, tapeOfMinute } from './quote-model'
import { SimulatedFeed } from './simulated-feed'

/** A busy regular-session hour (Wednesday 2025-03-12, 10:00-11:00 New York). */
const from = Date.UTC(2025, 2, 12, 14, 0)
const to = from + 60 * MINUTE_MS

function minutesOf(symbol: string): Trade[][] {
  const out: Trade[][] = []
  for (let m = from; m < to; m += MINUTE_MS) out.push(tradesBetween(symbol, m, m + MINUTE_MS))
  return out
}

describe('quote model', () => {
  it('should put every at-market trade at or inside the NBBO in force when it prints, over an hour of three tickers', () => {
    let checked = 0
    for (const symbol of ['AAPL', 'MSFT', 'TSLA']) {
      for (const trades of minutesOf(symbol)) {
        let nbbo: Quote | null = null
        for (const e of tapeOfMinute(symbol, trades)) {
          if (e.kind === 'quote') {
            expect(e.quote.bid).toBeLessThan(e.quote.ask)
            expect(e.quote.bidSize).toBeGreaterThan(0)
            nbbo = e.quote
            continue
          }
          expect(nbbo).not.toBeNull()
          expect(nbbo!.t).toBeLessThanOrEqual(e.trade.t)
          if (!isAtMarket(e.trade)) continue
          expect(nbbo!.bid).toBeLessThanOrEqual(e.trade.p)
          expect(nbbo!.ask).toBeGreaterThanOrEqual(e.trade.p)
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(500)
  })

  it('should send five quotes per trade by default, ascending in time within the minute, and the same quotes on every read', () => {
    const trades = tradesBetween('AAPL', from, from + MINUTE_MS)
    const quotes = quotesOfMinute('AAPL', trades)
    expect(trades.length).toBeGreaterThan(0)
    expect(quotes.length).toBe(5 * trades.length)
    for (let i = 1; i < quotes.length; i++) expect(quotes[i]!.t).toBeGreaterThanOrEqual(quotes[i - 1]!.t)
    expect(quotes[0]!.t).toBeGreaterThanOrEqual(from)
    expect(quotes.at(-1)!.t).toBeLessThan(from + MINUTE_MS)
    expect(new Set(quotes.map((q) => `${q.bid}/${q.ask}`)).size).toBeGreaterThan(1)
    expect(quotesOfMinute('AAPL', tradesBetween('AAPL', from, from + MINUTE_MS))).toEqual(quotes)
  })

  it('should keep the spread at the market when a print lies away from it (average price)', () => {
    const base: Trade = { symbol: 'X', p: 100, s: 100, t: from + 1000, q: 1 }
    const away: Trade = { symbol: 'X', p: 90, s: 5000, t: from + 2000, q: 2, c: [2] }
    const quotes = quotesOfMinute('X', [base, away], 3)
    for (const q of quotes.slice(3)) {
      expect(q.bid).toBeLessThanOrEqual(100)
      expect(q.ask).toBeGreaterThanOrEqual(100)
    }
  })
})

describe('SimulatedFeed quotes', () => {
  it('should stream the quote model over a feed session, in order with the trades, and none with quotesPerTrade 0', () => {
    const start = from + 30_000
    for (const perTrade of [5, 0]) {
      const clock = new SimulatedClock(start)
      const feed = new SimulatedFeed({ clock, random: () => 0.5, quotesPerTrade: perTrade })
      const events: ({ kind: 'quote'; quote: Quote } | { kind: 'trade'; trade: Trade })[] = []
      const session = feed.open({
        trades: (ts) => ts.forEach((trade) => events.push({ kind: 'trade', trade })),
        quotes: (qs) => qs.forEach((quote) => events.push({ kind: 'quote', quote })),
        bars: () => {},
        status: () => {},
        closed: () => {},
      })
      clock.advance(0)
      session.subscribe(['AAPL'])
      session.subscribeQuotes?.(['AAPL'])
      clock.advance(3 * MINUTE_MS)
      const expected = [0, 1, 2, 3]
        .flatMap((k) => {
          const m = Math.floor(start / MINUTE_MS) * MINUTE_MS + k * MINUTE_MS
          return tapeOfMinute('AAPL', tradesBetween('AAPL', m, m + MINUTE_MS), perTrade)
        })
        .filter((e) => {
          const t = e.kind === 'quote' ? e.quote.t : e.trade.t
          return t >= start && t < clock.now()
        })
      const sent = events.filter((e) => (e.kind === 'quote' ? e.quote.t : e.trade.t) < clock.now())
      expect(sent).toEqual(expected)
      const quotes = events.filter((e) => e.kind === 'quote').length
      if (perTrade === 0) expect(quotes).toBe(0)
      else expect(quotes).toBeGreaterThan(4 * events.filter((e) => e.kind === 'trade').length)
      session.close()
    }
  })

  it('should send quotes only for symbols whose quotes are subscribed, and stop when they are unsubscribed', () => {
    const clock = new SimulatedClock(from + 30_000)
    const feed = new SimulatedFeed({ clock, random: () => 0.5, quotesPerTrade: 5 })
    const quotes: Quote[] = []
    const trades: Trade[] = []
    const channels: string[] = []
    const session = feed.open({
      trades: (ts) => trades.push(...ts),
      quotes: (qs) => quotes.push(...qs),
      bars: () => {},
      status: (e) => e.kind === 'subscribed' && channels.push(...e.channels),
      closed: () => {},
    })
    clock.advance(0)
    session.subscribe(['AAPL', 'MSFT'])
    session.subscribeQuotes?.(['MSFT'])
    expect(channels).toEqual(['T.AAPL', 'AM.AAPL', 'T.MSFT', 'AM.MSFT', 'Q.MSFT'])
    expect(feed.quotedSymbols()).toEqual(['MSFT'])
    clock.advance(MINUTE_MS)
    expect(trades.some((t) => t.symbol === 'AAPL')).toBe(true)
    expect(quotes.length).toBeGreaterThan(0)
    expect(quotes.every((q) => q.symbol === 'MSFT')).toBe(true)
    session.unsubscribeQuotes?.(['MSFT'])
    expect(feed.quotedSymbols()).toEqual([])
    const before = quotes.length
    const tradesBefore = trades.length
    clock.advance(MINUTE_MS)
    expect(quotes.length).toBe(before)
    expect(trades.length).toBeGreaterThan(tradesBefore)
    session.close()
  })
})
