/** Stream test harness: the app as app.ts builds it plus the stream module (same wiring as the integration note), listening on port 0. */
import { createTokenVerifier } from '../../src/adapters/auth/token-verifier'
import { MemoryBus } from '../../src/adapters/bus/memory-bus'
import { MemoryConnectionCounter } from '../../src/adapters/bus/memory-connection-counter'
import { MemorySymbolRegistry } from '../../src/adapters/bus/memory-symbol-registry'
import { createDb } from '../../src/adapters/db/client'
import { createUserRepo } from '../../src/adapters/db/repos/users'
import { createWatchlistRepo } from '../../src/adapters/db/repos/watchlist'
import { createLogger } from '../../src/adapters/log/logger'
import { isKnownTicker, snapshotAt } from '../../src/adapters/simulated/market'
import { SimulatedFeed } from '../../src/adapters/simulated/simulated-feed'
import type { App } from '../../src/app'
import { LoginThrottle } from '../../src/core/login-throttle'
import { createAuthRoutes } from '../../src/http/modules/auth'
import { AuthService } from '../../src/http/modules/auth/service'
import { createSystemRoutes } from '../../src/http/modules/system'
import { createWatchlistRoutes } from '../../src/http/modules/watchlist'
import { WatchlistService } from '../../src/http/modules/watchlist/service'
import { createServer } from '../../src/http/server'
import { createSystemClock, type Clock } from '../../src/ports/clock'
import type { Bus } from '../../src/ports/bus'
import type { ConnectionCounter } from '../../src/ports/connection-counter'
import type { SymbolRegistry } from '../../src/ports/symbol-registry'
import type { UpstreamFeed } from '../../src/ports/upstream'
import { createStreamModule, streamPath, type StreamModule, type StreamTuning } from '../../src/stream/stream-module'
import { streamWebSocketOptions } from '../../src/stream/ws-options'
import { Http, testConfig, testJwtSecret } from './harness'

export interface StreamApp {
  url: string
  wsUrl: string
  /** `localhost:<port>` as a browser on this site would send it in Host. */
  host: string
  http: Http
  stream: StreamModule
  feed: UpstreamFeed
  clock: Clock
  stop(): Promise<void>
}

/** Builds and starts the app with the stream module; env goes through loadConfig like production. */
export async function startStreamApp(
  env: Record<string, string | undefined> = {},
  opts: {
    feed?: UpstreamFeed
    tuning?: Partial<StreamTuning>
    clock?: Clock
    /** Shared transports to run this app as one of several replicas (default: in-memory, alone). */
    replica?: { bus: Bus; registry: SymbolRegistry; counter: ConnectionCounter }
  } = {},
): Promise<StreamApp> {
  const config = testConfig(env)
  const log = createLogger(config.logLevel)
  const clock = opts.clock ?? createSystemClock()
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  const verifier = createTokenVerifier(testJwtSecret, clock)
  const throttle = new LoginThrottle({ maxPerAccount: 100, maxPerAddress: 1000, windowMs: 60_000 })
  const authService = new AuthService(createUserRepo(db.db), throttle, clock, { memoryCost: 4096, timeCost: 1 })

  const bus = opts.replica?.bus ?? new MemoryBus()
  const registry = opts.replica?.registry ?? new MemorySymbolRegistry()
  const counter = opts.replica?.counter ?? new MemoryConnectionCounter()
  const feed = opts.feed ?? new SimulatedFeed({ clock })
  const watchlistEvents = { removed: (userId: number, ticker: string) => stream.watchlistEvents.removed(userId, ticker) }
  const watchlist = new WatchlistService(createWatchlistRepo(db.db), config.watchlistMax, async (t) => isKnownTicker(t), watchlistEvents)
  const stream: StreamModule = createStreamModule({
    config: config.stream,
    clock,
    log,
    verifier,
    watchlist,
    bus,
    registry,
    counter,
    feed,
    corsOrigins: config.corsOrigins,
    snapshotSource: async (ticker) => (isKnownTicker(ticker) ? snapshotAt(ticker, clock.now()) : null),
    tuning: opts.tuning,
  })

  const server = createServer({
    log,
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
    modules: [
      createSystemRoutes([{ name: 'database', check: db.ping }]),
      createAuthRoutes({ service: authService, verifier, clock, secret: testJwtSecret, ttlSec: config.jwtTtlSec, secureCookie: false, trustProxy: true }),
      createWatchlistRoutes(watchlist, verifier, config.watchlistMax),
      stream.routes,
    ],
  })
  // What createServer should take as an option: Bun reads WebSocket options from the root instance only.
  server.config.websocket = streamWebSocketOptions(config.stream)
  stream.start()
  server.listen({ port: 0, hostname: '127.0.0.1' })
  const port = server.server!.port!
  const app = { handle: (req: Request) => server.handle(req) } as App
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}${streamPath}`,
    host: `127.0.0.1:${port}`,
    http: new Http(app),
    stream,
    feed,
    clock,
    async stop() {
      await stream.stop('test finished')
      await server.stop(true)
      await registry.close()
      await counter.close()
      await bus.close()
      await db.close()
    },
  }
}
