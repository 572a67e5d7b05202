/** The whole app for client and browser tests: REST, the stream and /terminal on one port, on real time and the simulated market. */
import { createTokenVerifier } from '../../../src/adapters/auth/token-verifier'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus'
import { MemoryConnectionCounter } from '../../../src/adapters/bus/memory-connection-counter'
import { MemorySymbolRegistry } from '../../../src/adapters/bus/memory-symbol-registry'
import { createDb } from '../../../src/adapters/db/client'
import { createBarRepo, createTickerRepo } from '../../../src/adapters/db/repos/bars'
import { createUserRepo } from '../../../src/adapters/db/repos/users'
import { createWatchlistRepo } from '../../../src/adapters/db/repos/watchlist'
import { createLogger } from '../../../src/adapters/log/logger'
import { isKnownTicker, snapshotAt } from '../../../src/adapters/simulated/market'
import { SimulatedFeed } from '../../../src/adapters/simulated/simulated-feed'
import { SimulatedUpstream } from '../../../src/adapters/simulated/simulated-upstream'
import { createApp } from '../../../src/app'
import type { Config } from '../../../src/config'
import { LoginThrottle } from '../../../src/core/login-throttle'
import { createAuthRoutes } from '../../../src/http/modules/auth'
import { AuthService } from '../../../src/http/modules/auth/service'
import { createMarketDataRoutes } from '../../../src/http/modules/market-data'
import { BarsService } from '../../../src/http/modules/market-data/bars-service'
import { SnapshotsService } from '../../../src/http/modules/market-data/snapshots-service'
import { createSystemRoutes } from '../../../src/http/modules/system'
import { createWatchlistRoutes } from '../../../src/http/modules/watchlist'
import { WatchlistService } from '../../../src/http/modules/watchlist/service'
import { createServer } from '../../../src/http/server'
import { createSystemClock, type Clock } from '../../../src/ports/clock'
import { createStreamModule, type StreamModule } from '../../../src/stream/stream-module'
import { streamWebSocketOptions } from '../../../src/stream/ws-options'
import { createTerminalRoutes } from '../../../src/terminal'
import { testConfig, testJwtSecret } from '../../support/harness'

export interface TerminalApp {
  url: string
  /** 'app.ts' once the composition root serves the stream and /terminal; until then this file composes them the same way. */
  wiredBy: 'app.ts' | 'test harness'
  /** The stream module when composed here (lets tests cut the upstream feed); null under app.ts. */
  stream: StreamModule | null
  stop(): Promise<void>
}

/** Test settings: REST answers the newest minute without reuse, so it can be compared with the stream bar for bar. */
export const terminalTestEnv = {
  BARS_TAIL_TTL_MS: '0',
  SNAPSHOT_CACHE_MS: '0',
  PREFETCH_INTERVAL_SECONDS: '0',
  WS_HEARTBEAT_MS: '2000',
}

/** `clock`: the app's time (e.g. a scaled clock starting in a busy trading session); the real clock by default. */
export async function startTerminalApp(
  env: Record<string, string> = {},
  clock: Clock = createSystemClock(),
): Promise<TerminalApp> {
  const config = testConfig({ ...terminalTestEnv, ...env })
  const app = await createApp(config, { clock })
  const probe = (path: string) => app.handle(new Request(`http://localhost${path}`)).then((r) => r.status)
  if ((await probe('/terminal')) === 200 && (await probe('/api/v1/market-data/stream')) !== 404) {
    const { url } = await app.listen()
    return { url, wiredBy: 'app.ts', stream: null, stop: () => app.stop() }
  }
  await app.stop()
  return composeLocally(config, clock)
}

/** The wiring app.ts is to get (see the report): the REST modules, the stream module and the terminal routes. */
async function composeLocally(config: Config, clock: Clock): Promise<TerminalApp> {
  const log = createLogger('warn')
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  const verifier = createTokenVerifier(testJwtSecret, clock)
  const throttle = new LoginThrottle({ maxPerAccount: 100, maxPerAddress: 1000, windowMs: 60_000 })
  const authService = new AuthService(createUserRepo(db.db), throttle, clock, { memoryCost: 4096, timeCost: 1 })
  const upstream = new SimulatedUpstream({ clock })
  const bars = new BarsService(upstream, createBarRepo(db.db), createTickerRepo(db.db), clock, {
    correctionWindowMs: 15 * 60_000,
    tailTtlMs: config.market.barsTailTtlMs,
    maxBarsPerCall: 50_000,
    unknownTickerTtlMs: 24 * 3600_000,
  })
  const bus = new MemoryBus()
  const registry = new MemorySymbolRegistry()
  const events = { removed: (userId: number, ticker: string) => stream.watchlistEvents.removed(userId, ticker) }
  const watchlist = new WatchlistService(
    createWatchlistRepo(db.db),
    config.watchlistMax,
    async (t) => isKnownTicker(t),
    events,
  )
  const stream: StreamModule = createStreamModule({
    config: config.stream,
    clock,
    log,
    verifier,
    watchlist,
    bus,
    registry,
    counter: new MemoryConnectionCounter(),
    feed: new SimulatedFeed({ clock }),
    corsOrigins: config.corsOrigins,
    snapshotSource: async (ticker) => (isKnownTicker(ticker) ? snapshotAt(ticker, clock.now()) : null),
  })
  const snapshots = new SnapshotsService(
    upstream,
    bars,
    clock,
    { maxTickers: config.market.snapshotMaxTickers, cacheTtlMs: config.market.snapshotCacheMs, liveFreshMs: 10_000 },
    (t) => stream.liveSnapshot(t),
  )
  const server = createServer({
    log,
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
    modules: [
      createSystemRoutes([{ name: 'database', check: db.ping }]),
      createAuthRoutes({
        service: authService,
        verifier,
        clock,
        secret: testJwtSecret,
        ttlSec: config.jwtTtlSec,
        secureCookie: false,
        trustProxy: false,
      }),
      createWatchlistRoutes(watchlist, verifier, config.watchlistMax),
      createMarketDataRoutes({
        bars,
        snapshots,
        upstream,
        verifier,
        clock,
        components: () => ({ stream: stream.status() }),
      }),
      stream.routes,
      createTerminalRoutes(),
    ],
  })
  server.config.websocket = streamWebSocketOptions(config.stream)
  stream.start()
  server.listen({ port: 0, hostname: '127.0.0.1' })
  return {
    url: `http://127.0.0.1:${server.server!.port!}`,
    wiredBy: 'test harness',
    stream,
    async stop() {
      await stream.stop('test finished')
      await server.stop(true)
      await bus.close()
      await registry.close()
      await db.close()
    },
  }
}
