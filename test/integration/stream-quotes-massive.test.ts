/** Quotes through the Massive adapter end to end (local Massive server, real sockets): `quote` messages and snapshot bid/ask over the stream and REST, and a plan without quotes said in `status` while trades go on. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { tradesBetween } from '../../src/adapters/simulated/market'
import { quotesOfMinute } from '../../src/adapters/simulated/quote-model'
import { createScaledClock } from '../support/scaled-clock'
import { startMassiveQuotesApp, type MassiveQuotesApp } from '../support/quote-apps'

const MINUTE = 60_000
/** A busy New York session (10:30 ET on a Wednesday), in real time. */
const clock = createScaledClock(1, Date.parse('2025-03-12T14:30:00Z'))

/** True when (bid, ask, sizes) is one of the simulated NBBO's quotes within the last few minutes. */
function isModelQuote(symbol: string, q: { bid: number; ask: number; bid_size: number; ask_size: number }): boolean {
  const now = Math.floor(clock.now() / MINUTE) * MINUTE
  for (let m = now - 5 * MINUTE; m <= now; m += MINUTE)
    for (const model of quotesOfMinute(symbol, tradesBetween(symbol, m, m + MINUTE)))
      if (model.bid === q.bid && model.ask === q.ask && model.bidSize === q.bid_size && model.askSize === q.ask_size) return true
  return false
}

describe('quotes over the Massive adapter', () => {
  let s: MassiveQuotesApp
  beforeAll(async () => {
    s = await startMassiveQuotesApp(clock)
  }, 30_000)
  afterAll(() => s?.stop(), 30_000)
  const connect = () => s.connect()

  it('should stream the provider NBBO as quote messages and carry it in stream and REST snapshots', async () => {
    expect((await s.http.get('/metrics')).text).toMatch(/^marketwatch_stream_quotes_available 1$/m)
    const rest = await s.http.get('/api/v1/market-data/snapshots?tickers=AAPL')
    expect(rest.status).toBe(200)
    const fromProvider = rest.json.results[0]
    expect(fromProvider.source).toBe('REST')
    expect(fromProvider.bid).toBeLessThan(fromProvider.ask)
    expect(isModelQuote('AAPL', fromProvider)).toBe(true)

    const client = await connect()
    expect((await client.request({ action: 'subscribe', symbols: ['AAPL'], channels: ['quotes', 'snapshots'] }, 8000)).type).toBe('subscribed')
    const quote = await client.next((m) => m.type === 'quote', 15_000)
    expect(isModelQuote('AAPL', quote.data)).toBe(true)
    await client.until(() => client.ofType('snapshot').some((m) => m.data.bid !== null), 'a snapshot with the NBBO', 15_000)
    const live = await s.http.get('/api/v1/market-data/snapshots?tickers=AAPL')
    const row = live.json.results[0]
    expect(row.source).toBe('WS')
    expect(row.bid).toBeLessThan(row.ask)
    expect(isModelQuote('AAPL', row)).toBe(true)
    client.close()
  }, 30_000)

  it('should say in status when the plan has no quotes, and keep streaming trades', async () => {
    const client = await connect()
    expect((await client.request({ action: 'subscribe', symbols: ['MSFT'], channels: ['trades', 'quotes'] }, 8000)).type).toBe('subscribed')
    s.massive.switches.wsQuotes = 'not_authorized'
    // A new provider session (as after any drop) asks for Q again and is refused.
    s.massive.wsDrop()
    const status = await client.next((m) => m.type === 'status' && m.data.quotes !== undefined, 15_000)
    expect(status.data.quotes).toEqual({
      available: false,
      reason: { code: 'UPSTREAM_QUOTES_UNAVAILABLE', message: expect.stringMatching(/^You are not authorized to access: Q\.(MSFT|AAPL)$/) },
    })
    const metrics = await s.http.get('/metrics')
    expect(metrics.text).toMatch(/^marketwatch_stream_quotes_available 0$/m)
    const after = client.messages.length
    await client.until(() => client.messages.slice(after).filter((m) => m.type === 'trade').length >= 3, 'trades after the refusal', 15_000)
    // The refused session asked for Q once; a later subscribe asks for T and AM only.
    const frames = s.massive.wsLog.filter((f) => f.kind === 'subscribe').map((f) => f.params)
    expect(frames.filter((p) => p!.includes('Q.')).length).toBeGreaterThanOrEqual(1)
    client.close()
  }, 30_000)
})
