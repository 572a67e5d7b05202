/** Stream test harness: the app exactly as src/app.ts composes it (createApp), with a test clock and feed, listening on port 0. */
import { SimulatedFeed } from '../../src/adapters/simulated/simulated-feed'
import { simulatedMarket } from '../../src/adapters/simulated/market'
import { createApp, type App } from '../../src/app'
import type { Clock } from '../../src/ports/clock'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import type { UpstreamFeed } from '../../src/ports/upstream'
import { streamPath, type StreamModule, type StreamTuning } from '../../src/stream/stream-module'
import { Http, testConfig } from './harness'

export interface StreamApp {
  app: App
  url: string
  wsUrl: string
  /** `127.0.0.1:<port>` as a browser on this site would send it in Host. */
  host: string
  http: Http
  stream: StreamModule
  feed: UpstreamFeed
  clock: Clock
  /** Graceful stop (closes clients with 4000, releases the lease); idempotent. */
  stop(): Promise<void>
}

/**
 * Builds the app with createApp from env (through loadConfig, like production) and starts it.
 * With REDIS_URL in env the app runs as one replica of many (RedisBus, registry, connection
 * counter and the upstream lease), exactly as in production. The feed is built here so tests
 * can drive it (SimulatedFeed.disconnect). The watchlist prefetch job is off unless env sets it.
 */
export async function startStreamApp(
  env: Record<string, string | undefined> = {},
  opts: { feed?: UpstreamFeed; tuning?: Partial<StreamTuning>; clock?: Clock } = {},
): Promise<StreamApp> {
  const clock = opts.clock ?? createSystemClock()
  const config = testConfig({ PREFETCH_INTERVAL_SECONDS: '0', ...env })
  const feed = opts.feed ?? new SimulatedFeed({ clock, market: simulatedMarket(config.market.simulatedHours) })
  const app = await createApp(config, {
    clock,
    feed,
    streamTuning: opts.tuning,
  })
  const { url } = await app.listen()
  const host = new URL(url).host
  let stopped: Promise<void> | null = null
  return {
    app,
    url,
    wsUrl: `ws://${host}${streamPath}`,
    host,
    http: new Http(app),
    stream: app.stream,
    feed,
    clock,
    stop: () => (stopped ??= app.stop()),
  }
}
