/** Quotes and channels over real sockets, on a clock 20× faster than real time: `quote` messages only where a subscription asks for them, conflated to one per flush window with nothing lost from the count, and the default subscription unchanged. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { simulatedMarket, tradesBetween } from '../../src/adapters/simulated/market'
import { quotesOfMinute } from '../../src/adapters/simulated/quote-model'
import { SimulatedFeed } from '../../src/adapters/simulated/simulated-feed'
import type { Quote } from '../../src/core/market-types'
import { createScaledClock } from '../support/scaled-clock'
import { StreamClient, type StreamMessage } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

const MINUTE = 60_000
/** A Wednesday, 10:59:58 in New York: the market is open and busy. */
const start = Date.UTC(2025, 2, 12, 14, 59, 58)

/** The simulated NBBO of `symbol` with from < t <= to. */
function modelQuotes(symbol: string, from: number, to: number): Quote[] {
  const out: Quote[] = []
  for (let m = Math.floor(from / MINUTE) * MINUTE; m <= to; m += MINUTE)
    out.push(...quotesOfMinute(symbol, tradesBetween(symbol, m, m + MINUTE)).filter((q) => q.t > from && q.t <= to))
  return out
}

describe('stream quotes and channels', () => {
  let app: StreamApp
  let token: string
  beforeAll(async () => {
    const clock = createScaledClock(20, start)
    const feed = new SimulatedFeed({ clock, market: simulatedMarket('calendar'), quotesPerTrade: 5 })
    app = await startStreamApp({}, { clock, feed, tuning: { symbolGraceMs: 1000 } })
    ;({ token } = await app.http.signUp())
    for (const ticker of ['AAPL', 'MSFT', 'NVDA']) expect((await app.http.post('/api/v1/watchlist', { ticker })).status).toBe(201)
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  async function connect(): Promise<StreamClient> {
    const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    await client.nextOf('welcome')
    return client
  }
  const of = (client: StreamClient, symbol: string, type?: string) =>
    client.messages.filter((m) => m.symbol === symbol && (type === undefined || m.type === type))

  it('should send a quotes-only subscription quote messages alone, at most one per flush window, their counts adding up to every quote', async () => {
    const client = await connect()
    const reply = await client.request({ action: 'subscribe', symbols: ['AAPL'], channels: ['quotes'] })
    expect(reply.type).toBe('subscribed')
    expect(reply.data.channels).toEqual(['quotes'])
    await client.until(() => of(client, 'AAPL', 'quote').length > 15, 'more than fifteen AAPL quotes', 15_000)
    client.close()
    const quotes = of(client, 'AAPL', 'quote')
    expect(of(client, 'AAPL').every((m) => m.type === 'quote')).toBe(true)
    for (const m of quotes) {
      expect(m.data.bid).toBeLessThan(m.data.ask)
      expect(m.data.bid_size).toBeGreaterThan(0)
      expect(m.event_ts).toBe(m.data.t)
      expect(m.source).toBe('simulated')
    }
    // Latest wins within a window: each message is the model's quote at its time, and the windows'
    // counts after the first add up to the model's quotes in between (none lost, none doubled).
    const first = quotes[0]!.data
    const last = quotes.at(-1)!.data
    const between = modelQuotes('AAPL', first.t, last.t)
    expect(quotes.slice(1).reduce((n, m) => n + m.data.count, 0)).toBe(between.length)
    expect(between.length).toBeGreaterThan(quotes.length - 1)
    const atEnd = between.filter((q) => q.t === last.t).at(-1)!
    expect([last.bid, last.ask, last.bid_size, last.ask_size]).toEqual([atEnd.bid, atEnd.ask, atEnd.bidSize, atEnd.askSize])
    // At most one per flush window (STREAM_FLUSH_MS, announced in welcome; windows on one grid of the app's clock).
    const flushMs = client.ofType('welcome')[0]!.data.flush_ms as number
    for (let i = 1; i < quotes.length; i++) expect(Math.floor(quotes[i]!.ts / flushMs)).toBeGreaterThan(Math.floor(quotes[i - 1]!.ts / flushMs))
  }, 20_000)

  it('should keep a subscription without channels exactly as before (no quotes), and send all four to one that names them', async () => {
    const plain = await connect()
    const all = await connect()
    expect((await plain.request({ action: 'subscribe', symbols: ['MSFT'] })).data.channels).toBeUndefined()
    expect((await all.request({ action: 'subscribe', symbols: ['MSFT'], channels: ['trades', 'quotes', 'bars', 'snapshots'] })).type).toBe('subscribed')
    const kinds = (c: StreamClient) => new Set(of(c, 'MSFT').map((m) => m.type))
    await all.until(() => ['trade', 'quote', 'snapshot', 'bar'].every((k) => kinds(all).has(k)), 'every kind on the full subscription', 15_000)
    await plain.until(() => of(plain, 'MSFT', 'trade').length > 5, 'trades on the plain subscription', 15_000)
    plain.close()
    all.close()
    expect(kinds(plain).has('quote')).toBe(false)
    // Quotes are numbered apart: the default subscription's seq has no gaps while they flow.
    const plainSeqs = of(plain, 'MSFT').filter((m) => m.epoch === of(plain, 'MSFT')[0]!.epoch).map((m) => m.seq!)
    plainSeqs.forEach((seq, i) => expect(seq).toBe(plainSeqs[0]! + i))
    const quoteSeqs = of(all, 'MSFT', 'quote').map((m) => m.seq!)
    quoteSeqs.forEach((seq, i) => i > 0 && expect(seq).toBeGreaterThan(quoteSeqs[i - 1]!))
    expect([...kinds(plain)].every((k) => ['trade', 'bar', 'snapshot'].includes(k))).toBe(true)
    // Both read the same trade stream: the plain client's trades are a run of the full client's.
    const key = (m: StreamMessage) => `${m.epoch}/${m.seq}`
    const fullTrades = new Set(of(all, 'MSFT', 'trade').map(key))
    expect(of(plain, 'MSFT', 'trade').filter((m) => fullTrades.has(key(m))).length).toBeGreaterThan(0)
    // A snapshot sent after quotes arrived carries the NBBO.
    const snap = of(all, 'MSFT', 'snapshot').at(-1)!
    expect(snap.data.bid).toBeLessThan(snap.data.ask)
    expect(snap.data.bid_size).toBeGreaterThan(0)
  }, 20_000)

  it('should move a subscription between channel sets: trades stop and quotes start, with the latest quote at once', async () => {
    const client = await connect()
    await client.request({ action: 'subscribe', symbols: ['NVDA'] })
    await client.until(() => of(client, 'NVDA', 'trade').length > 0, 'an NVDA trade', 15_000)
    const reply = await client.request({ action: 'subscribe', symbols: ['NVDA'], channels: ['quotes'] })
    expect(reply.data).toMatchObject({ added: [], channels: ['quotes'] })
    const switched = client.messages.length
    await client.until(() => client.messages.slice(switched).filter((m) => m.type === 'quote').length > 3, 'NVDA quotes', 15_000)
    client.close()
    const after = client.messages.slice(switched).filter((m) => m.symbol === 'NVDA')
    // Messages published before the switch may still be in flight; after the first quote, only quotes.
    const firstQuote = after.findIndex((m) => m.type === 'quote')
    expect(after.slice(firstQuote).every((m) => m.type === 'quote')).toBe(true)
  }, 20_000)

  it('should refuse unknown or empty channels with INVALID_CHANNELS and change nothing', async () => {
    const client = await connect()
    for (const channels of [['trades', 'level2'], [], 'quotes', [7]]) {
      const reply = await client.request({ action: 'subscribe', symbols: ['AAPL'], channels, id: 'c1' })
      expect(reply.type).toBe('error')
      expect(reply.data.code).toBe('INVALID_CHANNELS')
      expect(reply.data.details.allowed).toEqual(['trades', 'quotes', 'bars', 'snapshots'])
      expect(reply.data.id).toBe('c1')
    }
    const ok = await client.request({ action: 'subscribe', symbols: ['AAPL'] })
    expect(ok.data.added).toEqual(['AAPL'])
    client.close()
  }, 20_000)
})
