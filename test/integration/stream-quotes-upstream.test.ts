/** The provider's quotes are asked for only while some subscriber has the quotes channel: over the local Massive server (the `Q` frames it records) and the simulated feed (the symbols it computes quotes for), and across two replicas on one Redis. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { simulatedMarket } from '../../src/adapters/simulated/market'
import { SimulatedFeed } from '../../src/adapters/simulated/simulated-feed'
import { createScaledClock } from '../support/scaled-clock'
import { StreamClient } from '../support/stream-client'
import type { Http } from '../support/harness'
import { startMassiveQuotesApp, startTwoReplicas, type MassiveQuotesApp } from '../support/quote-apps'
import { waitFor } from '../support/redis-harness'
import type { StreamApp } from '../support/stream-harness'

/** Quote messages the app published to its local topics so far (one per message, whatever the audience). */
async function quotesPublished(http: Http): Promise<number> {
  const line = (await http.get('/metrics')).text.match(/^marketwatch_stream_messages_published_total\{type="quote"\} (\d+)$/m)
  return line ? Number(line[1]) : 0
}

describe('Q upstream only where wanted: the Massive adapter', () => {
  /** A busy New York session (10:30 ET on a Wednesday), in real time. */
  const clock = createScaledClock(1, Date.parse('2025-03-12T14:30:00Z'))
  let s: MassiveQuotesApp
  beforeAll(async () => {
    s = await startMassiveQuotesApp(clock)
  }, 30_000)
  afterAll(() => s?.stop(), 30_000)
  const connect = () => s.connect()
  /** The `params` of the app's subscribe and unsubscribe frames, in order. */
  const frames = () => s.massive.wsLog.filter((f) => f.kind === 'subscribe' || f.kind === 'unsubscribe').map((f) => `${f.kind} ${f.params}`)

  it('should subscribe no Q for default subscribers, Q.<symbol> for a quotes subscriber, and unsubscribe it when the last one leaves', async () => {
    const plain = await connect()
    const quoting = await connect()
    try {
      expect((await plain.request({ action: 'subscribe', symbols: ['AAPL', 'MSFT'] }, 8000)).type).toBe('subscribed')
      await plain.until(() => ['AAPL', 'MSFT'].every((s) => plain.ofType('trade').some((m) => m.symbol === s)), 'trades of both', 15_000)
      expect(frames().some((f) => f.includes('Q.'))).toBe(false)
      expect(await quotesPublished(s.http)).toBe(0)

      expect((await quoting.request({ action: 'subscribe', symbols: ['MSFT'], channels: ['quotes'] }, 8000)).type).toBe('subscribed')
      await quoting.until(() => quoting.ofType('quote').length >= 3, 'three MSFT quotes', 15_000)
      expect(frames().filter((f) => f.includes('Q.'))).toEqual(['subscribe Q.MSFT'])
      expect(quoting.ofType('quote').every((m) => m.symbol === 'MSFT')).toBe(true)
      expect(plain.ofType('quote')).toEqual([])

      // A second quotes subscriber of the same symbol asks for nothing more; the last one leaving unsubscribes Q at once (no grace).
      const second = await connect()
      expect((await second.request({ action: 'subscribe', symbols: ['MSFT'], channels: ['quotes', 'trades'] }, 8000)).type).toBe('subscribed')
      second.close()
      quoting.close()
      await plain.until(() => frames().includes('unsubscribe Q.MSFT'), 'the Q unsubscribe', 15_000)
      expect(frames().filter((f) => f.includes('Q.'))).toEqual(['subscribe Q.MSFT', 'unsubscribe Q.MSFT'])
      // Trades go on for the default subscriber, and the app publishes no quote after the provider stopped them.
      const published = await quotesPublished(s.http)
      const trades = plain.ofType('trade').length
      await plain.until(() => plain.ofType('trade').length >= trades + 5, 'five more trades', 15_000)
      expect(await quotesPublished(s.http)).toBe(published)
    } finally {
      plain.close()
      quoting.close()
    }
  }, 45_000)
})

describe('Q upstream only where wanted: the simulated feed, across two replicas', () => {
  /** A Wednesday, 11:00 in New York: the market is open and busy. */
  const clock = createScaledClock(10, Date.UTC(2025, 2, 12, 15, 0, 0))
  const feeds: SimulatedFeed[] = []
  const feed = () => (feeds.push(new SimulatedFeed({ clock, market: simulatedMarket('calendar'), quotesPerTrade: 5 })), feeds.at(-1)!)
  let a: StreamApp
  let b: StreamApp
  let stopReplicas: (() => Promise<void>) | undefined
  beforeAll(async () => {
    ;({ a, b, stop: stopReplicas } = await startTwoReplicas('quotes-upstream', clock, feed))
  }, 30_000)
  afterAll(() => stopReplicas?.(), 30_000)

  it('should compute quotes on the holder only for symbols a client of either replica has the quotes channel of', async () => {
    const holder = feeds[0]!
    const { token } = await b.http.signUp()
    for (const ticker of ['AAPL', 'NVDA']) expect((await b.http.post('/api/v1/watchlist', { ticker })).status).toBe(201)
    const plainOnA = StreamClient.connect(`${a.wsUrl}?token=${token}`)
    const quotesOnB = StreamClient.connect(`${b.wsUrl}?token=${token}`)
    try {
      await plainOnA.nextOf('welcome', 8000)
      await quotesOnB.nextOf('welcome', 8000)
      expect((await plainOnA.request({ action: 'subscribe', symbols: ['AAPL', 'NVDA'] }, 8000)).type).toBe('subscribed')
      await plainOnA.until(() => ['AAPL', 'NVDA'].every((s) => plainOnA.ofType('trade').some((m) => m.symbol === s)), 'trades of both on a', 15_000)
      expect(holder.subscribedSymbols()).toEqual(['AAPL', 'NVDA'])
      expect(holder.quotedSymbols()).toEqual([])

      expect((await quotesOnB.request({ action: 'subscribe', symbols: ['NVDA'], channels: ['quotes'] }, 8000)).type).toBe('subscribed')
      await quotesOnB.until(() => quotesOnB.ofType('quote').length >= 5, 'five NVDA quotes on b', 15_000)
      expect(holder.quotedSymbols()).toEqual(['NVDA'])
      expect(quotesOnB.ofType('quote').every((m) => m.symbol === 'NVDA')).toBe(true)

      // Channels changed to trades only: b's last quotes subscriber is gone, the holder stops computing NVDA's quotes.
      expect((await quotesOnB.request({ action: 'subscribe', symbols: ['NVDA'], channels: ['trades'] }, 8000)).type).toBe('subscribed')
      await waitFor(() => holder.quotedSymbols().length === 0, 10_000, 'the holder to drop NVDA quotes')
      expect(holder.subscribedSymbols()).toEqual(['AAPL', 'NVDA'])
      expect(plainOnA.ofType('quote')).toEqual([])
      expect(feeds[1]!.quotedSymbols()).toEqual([])
    } finally {
      plainOnA.close()
      quotesOnB.close()
    }
  }, 45_000)
})
