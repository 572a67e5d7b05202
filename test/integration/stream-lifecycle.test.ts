/** Stream lifecycle over real sockets: graceful stop closes every client with 4000 and stops actors and the feed. */
import { describe, expect, it } from 'bun:test'
import type { SimulatedFeed } from '../../src/adapters/simulated/simulated-feed'
import { closedWithin, StreamClient } from '../support/stream-client'
import { startStreamApp } from '../support/stream-harness'
import { waitFor } from '../support/wait'

describe('stream lifecycle', () => {
  it('should close every client with 4000 SERVER_RESTART on stop, stop the feed, and refuse newcomers', async () => {
    const app = await startStreamApp()
    try {
      const { token } = await app.http.signUp()
      expect((await app.http.post('/api/v1/watchlist', { ticker: 'AAPL' })).status).toBe(201)
      const clients = [0, 1, 2].map(() => StreamClient.connect(`${app.wsUrl}?token=${token}`))
      for (const c of clients) await c.nextOf('welcome')
      expect((await clients[0].request({ action: 'subscribe', symbols: ['AAPL'] })).type).toBe('subscribed')
      const feed = app.feed as SimulatedFeed
      // The upstream subscribes the new symbol after its batching window.
      await waitFor(() => feed.subscribedSymbols().length > 0, 10_000, 'the feed subscribed')
      expect(feed.subscribedSymbols()).toEqual(['AAPL'])
      const started = Date.now()
      await app.stream.stop('deploying a new version')
      // Every socket closed when asked: well under the 2 s grace stop() waits out for sockets that do not.
      expect(Date.now() - started).toBeLessThan(1500)
      for (const c of clients) {
        const closed = await closedWithin(c, 10_000)
        expect(closed).toMatchObject({ code: 4000, reason: 'SERVER_RESTART' })
        const error = c.messages.at(-1)!
        expect(error.data).toEqual({ code: 'SERVER_RESTART', message: 'deploying a new version' })
      }
      const status = app.stream.status()
      expect(status).toMatchObject({ accepting: false, connections: 0, actors: [], symbols: {}, holdingUpstream: false })
      expect(status.upstream.state).toBe('idle')
      expect(feed.subscribedSymbols()).toEqual([])
      const late = StreamClient.connect(`${app.wsUrl}?token=${token}`)
      expect((await closedWithin(late, 10_000)).code).toBe(4000)
    } finally {
      await app.stop()
    }
  }, 20_000)
})
