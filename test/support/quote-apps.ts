/** The quote tests' setups: an app on the local Massive server with a signed-up user watching AAPL and MSFT, and two replicas on PostgreSQL + Redis sharing one upstream. */
import { expect } from 'bun:test'
import type { App } from '../../src/app'
import type { Clock } from '../../src/ports/clock'
import type { UpstreamFeed } from '../../src/ports/upstream'
import { Http, postgresUrl, redisUrl, startApp } from './harness'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from './massive-server'
import { uniquePrefix, waitFor } from './redis-harness'
import { StreamClient } from './stream-client'
import { startStreamApp, type StreamApp } from './stream-harness'

export interface MassiveQuotesApp {
  massive: MassiveServer
  app: App
  http: Http
  /** A stream client of the user, welcomed. */
  connect(): Promise<StreamClient>
  stop(): Promise<void>
}

/** The app on a local Massive server (feed ticks every 50 ms, no snapshot cache), one user watching AAPL and MSFT. */
export async function startMassiveQuotesApp(clock: Clock): Promise<MassiveQuotesApp> {
  const massive = createMassiveServer({ now: () => clock.now(), feedTickMs: 50 })
  const app = await startApp({ ...massiveAppEnv(massive), SNAPSHOT_CACHE_MS: '0' }, { clock })
  const { url } = await app.listen()
  const http = new Http(app)
  const { token } = await http.signUp()
  for (const ticker of ['AAPL', 'MSFT']) expect((await http.post('/api/v1/watchlist', { ticker })).status).toBe(201)
  return {
    massive,
    app,
    http,
    async connect() {
      const client = StreamClient.connect(`${url.replace('http', 'ws')}/api/v1/market-data/stream?token=${token}`)
      await client.nextOf('welcome', 8000)
      return client
    },
    async stop() {
      await app.stop()
      await massive.stop()
    },
  }
}

/** Two replicas on PostgreSQL and one Redis prefix: `a` holds the upstream lease before `b` starts. */
export async function startTwoReplicas(
  prefix: string,
  clock: Clock,
  feed: () => UpstreamFeed,
): Promise<{ a: StreamApp; b: StreamApp; stop(): Promise<void> }> {
  const env = { DATABASE_URL: postgresUrl, REDIS_URL: redisUrl, REDIS_PREFIX: uniquePrefix(prefix), RATE_LIMIT_MARKET_PER_MINUTE: '0' }
  const a = await startStreamApp(env, { clock, feed: feed() })
  await waitFor(() => a.stream.status().holdingUpstream, 5000, 'replica a to take the upstream lease')
  const b = await startStreamApp(env, { clock, feed: feed() })
  return { a, b, stop: async () => (await b.stop(), await a.stop()) }
}
