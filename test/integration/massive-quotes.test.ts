/** MassiveFeed quotes over real WebSockets against the local Massive server: `Q` subscribed only for the symbols asked (with T and AM when new together), the simulated NBBO delivered in order, unsubscribed on request, and a plan without quotes reported once while trades go on. */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { MassiveFeed } from '../../src/adapters/massive/massive-feed.ts'
import { tradesBetween } from '../../src/adapters/simulated/market.ts'
import { quotesOfMinute } from '../../src/adapters/simulated/quote-model.ts'
import { createSystemClock } from '../../src/adapters/clock/system-clock.ts'
import type { FeedSession, FeedStatusEvent } from '../../src/ports/upstream.ts'
import type { Quote, Trade } from '../../src/core/market-types.ts'
import { createMassiveServer, type MassiveServer } from '../support/massive-server.ts'
import { waitFor as poll } from '../support/wait.ts'

/** Wednesday 2025-03-12 14:00 New York (EDT): the market is open and busy. */
const NOW = Date.UTC(2025, 2, 12, 18, 0)
const MINUTE = 60_000

let server: MassiveServer
let market = NOW
const sessions: FeedSession[] = []

interface Seen {
  events: ({ kind: 'trade'; trade: Trade } | { kind: 'quote'; quote: Quote })[]
  statuses: FeedStatusEvent[]
}

function openSession(): { session: FeedSession; seen: Seen } {
  const seen: Seen = { events: [], statuses: [] }
  const feed = new MassiveFeed({ apiKey: server.apiKey, url: server.wsUrl, clock: createSystemClock(), authTimeoutMs: 2_000, quotes: true })
  const session = feed.open({
    trades: (ts) => ts.forEach((trade) => seen.events.push({ kind: 'trade', trade })),
    quotes: (qs) => qs.forEach((quote) => seen.events.push({ kind: 'quote', quote })),
    bars: () => {},
    status: (e) => seen.statuses.push(e),
    closed: () => {},
  })
  sessions.push(session)
  return { session, seen }
}

const waitFor = (what: string, condition: () => boolean, timeoutMs = 10_000) => poll(condition, timeoutMs, what)
const channels = (seen: Seen) => seen.statuses.flatMap((s) => (s.kind === 'subscribed' ? s.channels : []))
const subscribeFrames = () => server.wsLog.filter((f) => f.kind === 'subscribe')
const tradesOf = (seen: Seen) => seen.events.flatMap((e) => (e.kind === 'trade' ? [e.trade] : []))
const quotesOf = (seen: Seen) => seen.events.flatMap((e) => (e.kind === 'quote' ? [e.quote] : []))

/** The simulated NBBO of `symbol` with from <= t < to. */
function simulatedQuotes(symbol: string, from: number, to: number): Quote[] {
  const out: Quote[] = []
  for (let m = Math.floor(from / MINUTE) * MINUTE; m < to; m += MINUTE)
    out.push(...quotesOfMinute(symbol, tradesBetween(symbol, m, m + MINUTE)).filter((q) => q.t >= from && q.t < to))
  return out
}

beforeAll(() => {
  server = createMassiveServer({ now: () => market, feedTickMs: 10 })
})
afterEach(async () => {
  for (const session of sessions.splice(0)) session.close()
  await waitFor('feed connections to close', () => server.wsOpenConnections === 0)
  server.reset()
  market = NOW
})
afterAll(() => server.stop())

describe('MassiveFeed quotes', () => {
  it('subscribes Q with T and AM and streams the simulated NBBO, each at-market trade inside the quote before it', async () => {
    const { session, seen } = openSession()
    session.subscribe(['AAPL'])
    session.subscribeQuotes?.(['AAPL'])
    await waitFor('acks', () => channels(seen).length === 3)
    expect(subscribeFrames().map((f) => f.params)).toEqual(['T.AAPL,Q.AAPL,AM.AAPL'])
    expect(channels(seen)).toEqual(['T.AAPL', 'Q.AAPL', 'AM.AAPL'])

    market = NOW + 30_000
    const quotes = simulatedQuotes('AAPL', NOW, market)
    const trades = tradesBetween('AAPL', NOW, market)
    await waitFor('the quotes and trades', () => quotesOf(seen).length === quotes.length && tradesOf(seen).length === trades.length)
    // The provider always sends a condition (`c`); the local server sends 0 (none) for the simulated NBBO.
    expect(quotesOf(seen)).toEqual(quotes.map((q) => ({ ...q, condition: 0 })))
    expect(quotes.length).toBeGreaterThanOrEqual(4 * trades.length)
    let nbbo: Quote | null = null
    for (const e of seen.events) {
      if (e.kind === 'quote') nbbo = e.quote
      else if (nbbo !== null && e.trade.c === undefined) {
        expect(nbbo.bid).toBeLessThanOrEqual(e.trade.p)
        expect(nbbo.ask).toBeGreaterThanOrEqual(e.trade.p)
      }
    }
  })

  it('reports a plan without quotes once (not-authorized answer to Q), asks no more Q, and keeps streaming trades', async () => {
    server.switches.wsQuotes = 'not_authorized'
    const { session, seen } = openSession()
    session.subscribe(['AAPL'])
    session.subscribeQuotes?.(['AAPL'])
    await waitFor('the refusal', () => seen.statuses.some((s) => s.kind === 'quotes_unavailable'))
    await waitFor('T and AM acks', () => channels(seen).length === 2)
    session.subscribe(['MSFT'])
    session.subscribeQuotes?.(['MSFT'])
    await waitFor('MSFT acks', () => channels(seen).length === 4)
    expect(subscribeFrames().map((f) => f.params)).toEqual(['T.AAPL,Q.AAPL,AM.AAPL', 'T.MSFT,AM.MSFT'])
    expect(seen.statuses.filter((s) => s.kind === 'quotes_unavailable')).toHaveLength(1)
    expect(seen.statuses.some((s) => s.kind === 'error')).toBe(false)

    market = NOW + 20_000
    const trades = tradesBetween('AAPL', NOW, market).length + tradesBetween('MSFT', NOW + 0, market).length
    await waitFor('trades', () => tradesOf(seen).length >= tradesBetween('AAPL', NOW, market).length && tradesOf(seen).length > 0)
    expect(trades).toBeGreaterThan(0)
    expect(quotesOf(seen)).toEqual([])
  })

  it('asks for Q only for the symbols whose quotes are subscribed, alone for a symbol already streaming, and unsubscribes it on request', async () => {
    const { session, seen } = openSession()
    session.subscribe(['AAPL', 'MSFT'])
    await waitFor('T and AM acks', () => channels(seen).length === 4)
    market = NOW + 10_000
    await waitFor('trades of both', () => ['AAPL', 'MSFT'].every((s) => tradesOf(seen).some((t) => t.symbol === s)))
    expect(quotesOf(seen)).toEqual([])
    session.subscribeQuotes?.(['MSFT'])
    await waitFor('the Q ack', () => channels(seen).includes('Q.MSFT'))
    market = NOW + 20_000
    await waitFor('MSFT quotes', () => quotesOf(seen).length > 0 && tradesOf(seen).at(-1)!.t >= NOW + 19_000)
    expect(quotesOf(seen).every((q) => q.symbol === 'MSFT')).toBe(true)
    session.unsubscribeQuotes?.(['MSFT'])
    await waitFor('the Q unsubscribe', () => server.wsLog.some((f) => f.kind === 'unsubscribe'))
    expect(server.wsLog.filter((f) => f.kind === 'subscribe' || f.kind === 'unsubscribe').map((f) => [f.kind, f.params])).toEqual([
      ['subscribe', 'T.AAPL,AM.AAPL,T.MSFT,AM.MSFT'],
      ['subscribe', 'Q.MSFT'],
      ['unsubscribe', 'Q.MSFT'],
    ])
    // The provider handles frames in order: once trades after the unsubscribe arrive, no quote may follow.
    const quotesBefore = quotesOf(seen).length
    const unsubscribedAt = market
    market = NOW + 30_000
    await waitFor('trades after the unsubscribe', () => tradesOf(seen).at(-1)!.t >= NOW + 29_000)
    expect(quotesOf(seen).slice(quotesBefore).filter((q) => q.t >= unsubscribedAt)).toEqual([])
  })
})
