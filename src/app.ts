/** Composition root: the only place that builds adapters, services and the server from a Config. */
import type { Config } from './config'
import { createAuth } from './app/auth'
import { createRepos, openDatabase } from './app/database'
import { resolveJwtSecret } from './app/jwt-secret'
import { readinessChecks } from './app/readiness'
import { createTransports } from './app/transports'
import { createUpstreamFeed, createUpstreams } from './app/upstreams'
import type { DbHandle } from './adapters/db/client'
import { createLogger } from './adapters/log/logger'
import type { Logger } from './ports/logger'
import type { Clock } from './ports/clock'
import { createSystemClock } from './adapters/clock/system-clock'
import { createServer } from './http/server'
import { createAuthRoutes } from './http/modules/auth'
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
import { MarketStatusService } from './services/market-status'
import { allDayRegularSession, calendarRegularSession } from './core/coalesce'
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
  const db = await openDatabase(config)
  const repos = createRepos(db, config, clock)

  const { upstream, tickers, upstreamOptions, upstreamMarketStatus, splits: upstreamSplits, conditions, tradeHistory } = createUpstreams(config, clock)
  // Trades are applied by the provider's condition rules once read (the shipped table until then).
  const saleConditions = new SaleConditionsService(conditions, clock, log)
  // The simulated market with SIMULATED_MARKET_HOURS=always trades around the clock.
  const aroundTheClock = upstreamMarketStatus === null && config.market.simulatedHours === 'always'
  const marketStatus = new MarketStatusService({
    clock,
    log,
    provider: upstreamMarketStatus,
    simulatedAlwaysOpen: aroundTheClock,
  })
  // Bars cursors are signed with a key derived from the server secret: a client cannot forge one.
  const barCursors = createBarCursorCodec(barCursorKey(secret))
  const bars = new BarsService(
    upstream,
    repos.bars,
    repos.tickers,
    clock,
    {
      correctionWindowMs: 15 * 60_000,
      tailTtlMs: config.market.barsTailTtlMs,
      maxBarsPerCall: 50_000,
      unknownTickerTtlMs: 24 * 3600_000,
      finalPageCacheBytes: 64 * 1024 * 1024,
      cursors: barCursors,
    },
    // Stored bars the provider now serves split-adjusted: a split its splits reference missed or it adjusted late, applied as a listed one.
    (ticker, ratio, compared) => splits.applyNoticed(ticker, ratio, compared),
  )
  const isKnownTicker = (t: string) =>
    bars.assertKnown(t).then(
      () => true,
      (e) => (e?.code === 'UNKNOWN_TICKER' ? false : Promise.reject(e)),
    )

  // Transports: in memory for one process; Redis (one server or Sentinel) for many replicas.
  const transports = createTransports(config, log, clock)
  const { redis, bus, symbolRegistry, connectionCounter, revokedTokens, rateLimiter, lease } = transports
  const { verifier, issuer, authService, hashGate } = createAuth(config, secret, repos.users, transports, clock)
  // One rate limiter (cluster-wide with Redis) for the per-user REST budgets and the per-address registration limit.
  const rateLimits = new RestRateLimits(
    rateLimiter,
    clock,
    restRatePolicies({ market: config.rateLimits.marketPerMinute, rest: config.rateLimits.restPerMinute }),
  )

  // Upstream snapshots serve stream seeds (batched) and REST snapshots alike; built before both, so neither refers to the other.
  const upstreamSnapshots = new UpstreamSnapshotCache(upstream, clock, { cacheTtlMs: config.market.snapshotCacheMs })
  const watchlist = new WatchlistService(repos.watchlist, config.watchlistMax, isKnownTicker)
  const stream = createStreamModule({
    config: config.stream,
    clock,
    log,
    verifier,
    watchlist,
    users: repos.users,
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
    conditions: saleConditions,
    tradeHistory,
    // Around the clock the simulated day bar closes at the day's last trade: the live previous close follows it.
    regularSession: aroundTheClock ? allDayRegularSession : calendarRegularSession,
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
  const prefetch = new PrefetchJob(repos.watchlist, bars, upstream, transports.jobLock, clock, log, {
    intervalMs: config.market.prefetchIntervalSec * 1000,
    windowMs: config.market.prefetchMinutes * 60_000,
  })

  // A split in effect: stored bars before it are dropped once; every replica forgets the ticker's caches and its subscribers reload.
  const splits = new SplitsService(
    {
      upstream: upstreamSplits,
      repo: repos.bars,
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
      createSystemRoutes(readinessChecks(repos.ping, stream, bus)),
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
