/** Quotes across two replicas on one Redis: a client of the replica that does not hold the upstream gets the holder's quote messages over the bus on its quotes channel, and a default client beside it gets none, with no gap in its seq. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { simulatedMarket } from '../../src/adapters/simulated/market'
import { SimulatedFeed } from '../../src/adapters/simulated/simulated-feed'
import { startTwoReplicas } from '../support/quote-apps'
import { createScaledClock } from '../support/scaled-clock'
import { StreamClient } from '../support/stream-client'
import type { StreamApp } from '../support/stream-harness'

/** A Wednesday, 11:00 in New York: the market is open and busy. */
const start = Date.UTC(2025, 2, 12, 15, 0, 0)

describe('quotes across replicas', () => {
  const clock = createScaledClock(10, start)
  const feed = () => new SimulatedFeed({ clock, market: simulatedMarket('calendar'), quotesPerTrade: 5 })
  let a: StreamApp
  let b: StreamApp
  let stopReplicas: (() => Promise<void>) | undefined
  beforeAll(async () => {
    ;({ a, b, stop: stopReplicas } = await startTwoReplicas('quotes', clock, feed))
  }, 30_000)
  afterAll(() => stopReplicas?.(), 30_000)

  it('should deliver quotes over the bus to a quotes subscriber of the other replica, and none to a default one', async () => {
    expect(b.stream.status().holdingUpstream).toBe(false)
    const { token } = await b.http.signUp()
    expect((await b.http.post('/api/v1/watchlist', { ticker: 'AAPL' })).status).toBe(201)
    const quotes = StreamClient.connect(`${b.wsUrl}?token=${token}`)
    const plain = StreamClient.connect(`${b.wsUrl}?token=${token}`)
    try {
      await quotes.nextOf('welcome', 8000)
      await plain.nextOf('welcome', 8000)
      expect((await quotes.request({ action: 'subscribe', symbols: ['AAPL'], channels: ['quotes'] }, 8000)).type).toBe('subscribed')
      expect((await plain.request({ action: 'subscribe', symbols: ['AAPL'] }, 8000)).type).toBe('subscribed')
      await quotes.until(() => quotes.ofType('quote').length >= 10, 'ten quotes on replica b', 15_000)
      await plain.until(() => plain.ofType('trade').length >= 5, 'five trades on replica b', 15_000)
      expect(quotes.messages.filter((m) => m.symbol === 'AAPL').every((m) => m.type === 'quote')).toBe(true)
      expect(plain.ofType('quote')).toEqual([])
      const market = plain.messages.filter((m) => m.symbol === 'AAPL')
      const epoch = market[0]!.epoch
      const seqs = market.filter((m) => m.epoch === epoch).map((m) => m.seq!)
      seqs.forEach((seq, i) => expect(seq).toBe(seqs[0]! + i))
      for (const m of quotes.ofType('quote')) expect(m.data.bid).toBeLessThan(m.data.ask)
    } finally {
      quotes.close()
      plain.close()
    }
  }, 30_000)
})
