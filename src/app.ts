/** Composition root: the only place that builds adapters, services and the server from a Config. */
import { join } from 'node:path'
import type { Config } from './config'
import { resolveJwtSecret } from './app/jwt-secret'
import { createTransports } from './app/transports'
import { createUpstreamFeed, createUpstreams } from './app/upstreams'
import { createTokenIssuer } from './adapters/auth/token-issuer'
import { createTokenVerifier } from './adapters/auth/token-verifier'
import { createDb, type DbHandle } from './adapters/db/client'
import { guardCall, guardRepo } from './adapters/db/guard'
import { createUserRepo } from './adapters/db/repos/users'
import { createWatchlistRepo } from './adapters/db/repos/watchlist'
import { createLogger } from './adapters/log/logger'
import type { Logger } from './ports/logger'
import type { Clock } from './ports/clock'
import { createSystemClock } from './adapters/clock/system-clock'
import { createServer } from './http/server'
import { createAuthRoutes } from './http/modules/auth'
import { AuthService } from './services/auth-service'
import { createSystemRoutes } from './http/modules/system'
import { createMetricsRoutes, metricsAccess } from './http/modules/system/metrics'
import { HttpMetrics } from './http/http-metrics'
import { answerWithin } from './http/request-deadline'
import { createWatchlistRoutes } from './http/modules/watchlist'
import { WatchlistService } from './services/watchlist-service'
import { createMarketDataRoutes } from './http/modules/market-data'
import { BarsService } from './services/bars-service'
import { barCursorKey, createBarCursorCodec } from './core/bar-cursor'
import { SnapshotsService } from './services/snapshots-service'
import { UpstreamSnapshotCache } from './services/upstream-snapshot-cache'
import { createOptionsRoutes } from './http/modules/options'
import { createReferenceRoutes } from './http/modules/reference'
import { OptionsService } from './services/options-service'
import { createBarRepo, createTickerRepo } from './adapters/db/repos/bars'
import { MarketStatusService } from './services/market-status'
import { allDayRegularSession, calendarRegularSession } from './core/coalesce'
import { BoundedSemaphore } from './core/bounded-semaphore'
import { restRatePolicies, RestRateLimits } from './http/rate-limit-plugin'
import { SessionService } from './services/session-service'
import { PrefetchJob } from './jobs/prefetch-job'
import { SplitsService } from './services/splits-service'
import { SaleConditionsService } from './services/sale-conditions'
import { createTerminalRoutes } from './terminal'
import type { UpstreamFeed } from './ports/upstream'
import { createStreamModule, type StreamModule, type StreamTuning } from './stream/stream-module'
import { defaultStreamCap, openFilesLimit } from './adapters/host/open-files'

/** What tests (and only tests) may substitute; production passes nothing. */
export interface AppOverrides {
  clock?: Clock
  log?: Logger
  /** A live feed to use instead of the configured one (fault-injecting feeds in tests). */
  feed?: UpstreamFeed
  /** Stream timings tests shorten (grace periods, conflation bounds). */
  streamTuning?: Partial<StreamTuning>
}

export interface App {
  config: Config
  /** In-process request handling (no socket). */
  handle(req: Request): Promise<Response>
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<{ port: number; url: string }>
  stop(): Promise<void>
  db: DbHandle
  prefetch: PrefetchJob
  splits: SplitsService
  stream: StreamModule
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger(config.logLevel)
  const clock = overrides.clock ?? createSystemClock()
  const secret = resolveJwtSecret(config, log)
  const dbDir = config.dataDir.startsWith('memory://') ? config.dataDir : join(config.dataDir, 'pglite')
  const db = await createDb({
    databaseUrl: config.databaseUrl,
    dataDir: dbDir,
    connectTimeoutSec: Math.max(1, Math.ceil(config.timeouts.databaseMs / 1000)),
  })
  // Every repository call answers within a deadline; an unreachable database is 503 DATABASE_UNAVAILABLE, never a hang or a 500.
  const quick = { deadlineMs: config.timeouts.databaseMs, clock }
  const bulk = { deadlineMs: config.timeouts.requestMs, clock }

  const { upstream, tickers, upstreamOptions, upstreamMarketStatus, splits: upstreamSplits, conditions, tradeHistory } = createUpstreams(config, clock)
  // Trades are applied by the provider's condition rules once read (the shipped table until then).
  const saleConditions = new SaleConditionsService(conditions, clock, log)
  const marketStatus = new MarketStatusService({
    clock,
    log,
    provider: upstreamMarketStatus,
    simulatedAlwaysOpen: upstreamMarketStatus === null && config.market.simulatedHours === 'always',
  })
  const watchlistRepo = guardRepo(createWatchlistRepo(db.db), quick)
  // Bars cursors are signed with a key derived from the server secret: a client cannot forge one.
  const barCursors = createBarCursorCodec(barCursorKey(secret))
  const barRepo = guardRepo(createBarRepo(db.db), bulk)
  const bars = new BarsService(
    upstream,
    barRepo,
    guardRepo(createTickerRepo(db.db), quick),
    clock,
    {
      correctionWindowMs: 15 * 60_000,
      tailTtlMs: config.market.barsTailTtlMs,
      maxBarsPerCall: 50_000,
      unknownTickerTtlMs: 24 * 3600_000,
      finalPageCacheBytes: 64 * 1024 * 1024,
      cursors: barCursors,
    },
    // Stored bars the provider now serves split-adjusted: a split its splits reference missed, applied as a listed one.
    (ticker, ratio) => splits.applyNoticed(ticker, ratio),
  )
  const isKnownTicker = (t: string) =>
    bars.assertKnown(t).then(
      () => true,
      (e) => (e?.code === 'UNKNOWN_TICKER' ? false : Promise.reject(e)),
    )

  // Transports: in memory for one process; Redis (one server or Sentinel) for many replicas.
  const transports = createTransports(config, log, clock)
  const { redis, bus, symbolRegistry, connectionCounter, loginAttempts, revokedTokens, rateLimiter, lease } = transports
  const verifier = createTokenVerifier(secret, clock, revokedTokens)
  const issuer = createTokenIssuer(secret, clock, config.jwtTtlSec)
  // One rate limiter (cluster-wide with Redis) for the per-user REST budgets and the per-address registration limit.
  const rateLimits = new RestRateLimits(
    rateLimiter,
    clock,
    restRatePolicies({ market: config.rateLimits.marketPerMinute, rest: config.rateLimits.restPerMinute }),
  )
  const hashing = config.mode === 'test' ? { memoryCost: 4096, timeCost: 1 } : { memoryCost: 19456, timeCost: 2 }
  const hashGate = new BoundedSemaphore(config.auth.passwordHashConcurrency, config.auth.passwordHashQueue)
  const authService = new AuthService(guardRepo(createUserRepo(db.db), quick), loginAttempts, clock, hashing, {
    hashGate,
    limiter: rateLimiter,
    registerPolicy:
      config.auth.registerMaxPerAddress > 0
        ? { name: 'register', limit: config.auth.registerMaxPerAddress, windowMs: config.auth.registerWindowSec * 1000 }
        : null,
  })

  // Upstream snapshots serve stream seeds (batched) and REST snapshots alike; built before both, so neither refers to the other.
  const upstreamSnapshots = new UpstreamSnapshotCache(upstream, clock, { cacheTtlMs: config.market.snapshotCacheMs })
  const watchlist = new WatchlistService(watchlistRepo, config.watchlistMax, isKnownTicker)
  const stream = createStreamModule({
    config: config.stream,
    clock,
    log,
    verifier,
    watchlist,
    users: guardRepo(createUserRepo(db.db), quick),
    bus,
    registry: symbolRegistry,
    counter: connectionCounter,
    feed: overrides.feed ?? createUpstreamFeed(config, clock),
    corsOrigins: config.corsOrigins,
    snapshotSource: (ticker) => upstreamSnapshots.seed(ticker),
    revocations: revokedTokens,
    tuning: { ...overrides.streamTuning, holdUpstreamOnStart: lease === null },
    maxConnections: config.stream.maxConnectionsPerProcess || defaultStreamCap(openFilesLimit()),
    marketStatus,
    // Around the clock the simulated day bar closes at the day's last trade: the live previous close follows it.
    conditions: saleConditions,
    tradeHistory,
    regularSession:
      upstreamMarketStatus === null && config.market.simulatedHours === 'always'
        ? allDayRegularSession
        : calendarRegularSession,
  })
  const sessions = new SessionService(revokedTokens, stream.sessionEvents, clock, {
    tokenTtlSec: config.jwtTtlSec,
    maxAgeSec: config.sessionMaxSec,
  })
  const options = new OptionsService(upstreamOptions, isKnownTicker, clock, {
    expirationsTtlMs: config.market.optionsExpirationsCacheMs,
    chainTtlMs: config.market.optionsChainCacheMs,
  })
  // The stream is the live snapshot source of REST snapshots, and hears of watchlist removals (it ends those subscriptions).
  const snapshots = new SnapshotsService(
    upstreamSnapshots,
    bars,
    clock,
    { maxTickers: config.market.snapshotMaxTickers, liveFreshMs: 10_000 },
    stream,
    () => marketStatus.view().market,
  )
  watchlist.observe(stream.watchlistEvents)
  const prefetch = new PrefetchJob(watchlistRepo, bars, upstream, transports.jobLock, clock, log, {
    intervalMs: config.market.prefetchIntervalSec * 1000,
    windowMs: config.market.prefetchMinutes * 60_000,
  })

  // A split in effect: stored bars before it are dropped once; every replica forgets the ticker's caches and its subscribers reload.
  const splits = new SplitsService(
    {
      upstream: upstreamSplits,
      repo: barRepo,
      bus,
      lock: transports.jobLock,
      clock,
      log,
      onSplit: ({ ticker }) => {
        bars.forgetTicker(ticker)
        upstreamSnapshots.forget(ticker)
        stream.resetSymbol(ticker, 'split')
      },
    },
    { intervalMs: config.market.splitsIntervalSec * 1000, lookbackDays: 30 },
  )

  const httpMetrics = new HttpMetrics()
  const server = createServer({
    now: () => clock.now(),
    log,
    maxBodyBytes: config.maxBodyBytes,
    idleTimeoutSec: config.timeouts.idleSec,
    corsOrigins: config.corsOrigins,
    answered: (r) => httpMetrics.observe(r),
    modules: [
      createSystemRoutes([
        { name: 'database', check: () => guardCall(db.ping, quick) },
        // A process holding its cap of streams is not ready: a load balancer sends new upgrades elsewhere.
        {
          name: 'stream_capacity',
          check: async () => {
            if (stream.full()) throw new Error('the process holds its maximum of streams')
          },
        },
        // Messages to and from other replicas may be lost: Redis away, re-subscribing, or the bus's canary not back (delivery stalled).
        {
          name: 'bus',
          check: async () => {
            const health = bus.health()
            if (health.state !== 'ok') throw new Error(health.reason ?? 'bus degraded')
          },
        },
      ]),
      createMetricsRoutes(metricsAccess(config.mode, config.metricsToken), {
        http: httpMetrics,
        stream,
        bus,
        upstreamRest: upstream,
        bars,
        splits,
        rateLimits,
        hashGate,
      }),
      createAuthRoutes({
        service: authService,
        sessions,
        verifier,
        issuer,
        ttlSec: config.jwtTtlSec,
        secureCookie: config.mode === 'production',
        trustProxyHops: config.trustProxyHops,
        rateLimits,
      }),
      createWatchlistRoutes(
        answerWithin(watchlist, ['add'], config.timeouts.requestMs, clock),
        verifier,
        config.watchlistMax,
        rateLimits,
      ),
      createOptionsRoutes(
        answerWithin(options, ['expirations', 'chain', 'contract'], config.timeouts.requestMs, clock),
        verifier,
        rateLimits,
      ),
      createReferenceRoutes(
        answerWithin(tickers, ['searchTickers'], config.timeouts.requestMs, clock),
        verifier,
        rateLimits,
      ),
      createTerminalRoutes(),
      stream.routes,
      createMarketDataRoutes({
        bars: answerWithin(bars, ['pageJson'], config.timeouts.requestMs, clock),
        cursors: barCursors,
        snapshots: answerWithin(snapshots, ['get'], config.timeouts.requestMs, clock),
        marketStatus,
        upstream,
        verifier,
        rateLimits,
        clock,
        components: () => ({
          stream: stream.status(),
          bus: bus.health(),
          upstream_lease: lease ? { holding: lease.holding, token: lease.token } : { holding: true, token: null },
          prefetch: prefetch.status(),
          splits: splits.status(),
        }),
      }),
    ],
  })

  let listening = false
  return {
    config,
    db,
    handle: (req) => server.handle(req),
    prefetch,
    splits,
    stream,
    async listen() {
      stream.start()
      if (lease) {
        lease.onAcquired(() => stream.setUpstreamHolding(true))
        lease.onLost(() => stream.setUpstreamHolding(false))
        lease.start()
      }
      prefetch.start()
      splits.start()
      saleConditions.start()
      server.listen({ port: config.port, hostname: config.host, websocket: stream.websocket })
      stream.attach(server.server!)
      listening = true
      const port = server.server!.port!
      return { port, url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}` }
    },
    async stop() {
      prefetch.stop()
      splits.stop()
      saleConditions.stop()
      await stream.stop('the server is shutting down')
      if (listening) await server.stop(true)
      await lease?.close()
      await symbolRegistry.close()
      await connectionCounter.close()
      await bus.close()
      redis?.disconnect()
      await db.close()
    },
  }
}
