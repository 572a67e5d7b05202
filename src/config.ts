/** The only reader of the environment: typed configuration, validated once; one ConfigError lists every bad key. */
import type { StreamLimits } from './contract/protocol'
import { ConfigError } from './errors'
import type { LogLevel } from './ports/logger'
import { EnvReader, type Env } from './config/env-reader'
import { readRedisCluster, readRedisSentinel, type RedisClusterConfig, type RedisSentinelConfig } from './config/redis-config'

export type { RedisClusterConfig, RedisSentinelConfig } from './config/redis-config'

export type Mode = 'development' | 'production' | 'test'

export interface Config {
  mode: Mode
  host: string
  port: number
  /** Folder for PGlite data and the development JWT secret. */
  dataDir: string
  /** PostgreSQL URL; null = embedded PGlite in dataDir. */
  databaseUrl: string | null
  /** Redis URL of one server; null = Sentinel (below) or a single process with an in-memory bus. */
  redisUrl: string | null
  /** The primary that Redis Sentinels name (REDIS_SENTINELS, REDIS_SENTINEL_NAME); null = REDIS_URL or no Redis. Never both. */
  redisSentinel: RedisSentinelConfig | null
  /** A Redis Cluster (REDIS_CLUSTER_NODES): sharded Pub/Sub for the bus; null = REDIS_URL, Sentinel or no Redis. Never with either. */
  redisCluster: RedisClusterConfig | null
  redisPrefix: string
  /** With Redis: how long the upstream-holder lease lasts without renewal (renewed every third; a survivor takes over within it after a crash). */
  upstreamLeaseMs: number
  /** null in development/test when unset: app.ts generates and keeps one in dataDir. */
  jwtSecret: string | null
  jwtTtlSec: number
  /** How long after sign-in a session may still be refreshed (POST /auth/refresh); its last token then lives out its TTL. */
  sessionMaxSec: number
  /** Exact browser origins allowed to call the API with credentials; never "*". */
  corsOrigins: string[]
  logLevel: LogLevel
  /** Proxies in front of the service whose X-Forwarded-For entries are trusted; 0 = the socket peer is the client. */
  trustProxyHops: number
  maxBodyBytes: number
  timeouts: {
    /** Longest wait for one database call before answering 503 DATABASE_UNAVAILABLE. */
    databaseMs: number
    /** Longest time an upstream-dependent request (bars, snapshots, options) may take before answering 503 UPSTREAM_UNAVAILABLE. */
    requestMs: number
    /** Bun's idle timeout for an HTTP connection (seconds); kept above requestMs so a slow answer is never cut. */
    idleSec: number
  }
  /** Bearer token GET /metrics requires; null = open in development/test, no /metrics in production. */
  metricsToken: string | null
  auth: {
    loginMaxFailuresPerAccount: number
    loginMaxFailuresPerAddress: number
    loginWindowSec: number
    /** Registrations per client address per window; 0 = no limit. */
    registerMaxPerAddress: number
    registerWindowSec: number
    /** argon2id hashes computed at once (default: the CPUs); more wait in a queue of passwordHashQueue, beyond it 503 SERVER_BUSY. */
    passwordHashConcurrency: number
    passwordHashQueue: number
  }
  /** Per-user REST requests per minute (0 = no limit): `market` for bars, snapshots and options, `rest` for the other signed-in routes. */
  rateLimits: { restPerMinute: number; marketPerMinute: number }
  watchlistMax: number
  massive: {
    apiKey: string | null
    restUrl: string
    wsUrl: string
    /** Free plan: 5. null = unlimited (paid plans). */
    requestsPerMinute: number | null
    /** Percent of the per-minute budget (rounded up, at least 1 call) only interactive bars, snapshots and lookups may spend. */
    reservedInteractivePercent: number
    timeoutMs: number
    /** Subscribe NBBO quotes (`Q`) on the live feed (MASSIVE_QUOTES); a plan without quotes refuses them and trades go on. */
    quotes: boolean
  }
  market: {
    snapshotMaxTickers: number
    /** Upstream snapshots are reused this long. */
    snapshotCacheMs: number
    /** The not-yet-final end of a bar range is reused this long. */
    barsTailTtlMs: number
    /** Watchlist prefetch period; 0 turns the job off. */
    prefetchIntervalSec: number
    /** How far back the prefetch keeps minute bars stored. */
    prefetchMinutes: number
    /** How often the provider's splits are checked (first check one period after start); 0 turns it off. */
    splitsIntervalSec: number
    /** Listed option expirations of an underlying are reused this long. */
    optionsExpirationsCacheMs: number
    /** Option chains and contract snapshots are reused this long. */
    optionsChainCacheMs: number
    /** Without a Massive key: the simulated market trades by the exchange calendar, or around the clock every day (demos). */
    simulatedHours: 'calendar' | 'always'
    /** NBBO quotes the simulated market sends before each trade (0 = none, as a plan without quotes). */
    simulatedQuotesPerTrade: number
  }
  stream: StreamLimits
}

/** Minimum length of a production JWT secret (HS256 wants ≥ 256 bits of key). */
export const minJwtSecretLength = 32

export function loadConfig(env: Env): Config {
  const r = new EnvReader(env)
  const mode = r.oneOf<Mode>('NODE_ENV', 'development', ['development', 'production', 'test'])
  const jwtSecret = r.optional('JWT_SECRET')
  if (jwtSecret !== null && jwtSecret.length < minJwtSecretLength)
    r.problems.push({ key: 'JWT_SECRET', message: `must be at least ${minJwtSecretLength} characters` })
  else if (jwtSecret === null && mode === 'production')
    r.problems.push({ key: 'JWT_SECRET', message: 'is required in production' })
  const perMinute = r.int('MASSIVE_REQUESTS_PER_MINUTE', 5, 0, 1_000_000)
  const corsOrigins = readCorsOrigins(r)
  const config: Config = {
    mode,
    host: r.str('HOST', '0.0.0.0'),
    port: r.int('PORT', 3000, 0, 65535),
    dataDir: r.str('DATA_DIR', './data'),
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    redisSentinel: readRedisSentinel(r),
    redisCluster: readRedisCluster(r),
    redisPrefix: r.str('REDIS_PREFIX', 'mw'),
    upstreamLeaseMs: r.int('UPSTREAM_LEASE_MS', 2000, 1000, 120_000),
    jwtSecret: jwtSecret !== null && jwtSecret.length >= minJwtSecretLength ? jwtSecret : null,
    jwtTtlSec: r.int('JWT_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
    sessionMaxSec: r.int('SESSION_MAX_SECONDS', 30 * 24 * 3600, 60, 366 * 24 * 3600),
    corsOrigins,
    logLevel: r.oneOf<LogLevel>('LOG_LEVEL', mode === 'test' ? 'warn' : 'info', ['debug', 'info', 'warn', 'error']),
    trustProxyHops: readTrustProxyHops(r),
    maxBodyBytes: r.int('MAX_BODY_BYTES', 16 * 1024, 1024, 10 * 1024 * 1024),
    timeouts: {
      databaseMs: r.int('DB_TIMEOUT_MS', 2000, 100, 60_000),
      requestMs: r.int('REQUEST_DEADLINE_MS', 12_000, 1000, 120_000),
      idleSec: r.int('HTTP_IDLE_TIMEOUT_SECONDS', 30, 5, 255),
    },
    metricsToken: r.optional('METRICS_TOKEN'),
    auth: {
      loginMaxFailuresPerAccount: r.int('LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 1000),
      loginMaxFailuresPerAddress: r.int('LOGIN_MAX_FAILURES_PER_ADDRESS', 20, 1, 100000),
      loginWindowSec: r.int('LOGIN_WINDOW_SECONDS', 15 * 60, 1, 24 * 3600),
      registerMaxPerAddress: r.int('REGISTER_MAX_PER_ADDRESS', 20, 0, 1_000_000),
      registerWindowSec: r.int('REGISTER_WINDOW_SECONDS', 3600, 1, 7 * 24 * 3600),
      passwordHashConcurrency: r.int('PASSWORD_HASH_CONCURRENCY', Math.max(1, navigator.hardwareConcurrency || 1), 1, 1024),
      passwordHashQueue: r.int('PASSWORD_HASH_QUEUE', 64, 0, 100_000),
    },
    rateLimits: {
      restPerMinute: r.int('RATE_LIMIT_REST_PER_MINUTE', 600, 0, 1_000_000),
      marketPerMinute: r.int('RATE_LIMIT_MARKET_PER_MINUTE', 120, 0, 1_000_000),
    },
    watchlistMax: r.int('WATCHLIST_MAX', 50, 1, 1000),
    massive: {
      apiKey: r.optional('MASSIVE_API_KEY'),
      restUrl: r.url('MASSIVE_REST_URL', ['http:', 'https:']) ?? 'https://api.massive.com',
      wsUrl: r.url('MASSIVE_WS_URL', ['ws:', 'wss:']) ?? 'wss://socket.massive.com/stocks',
      requestsPerMinute: perMinute === 0 ? null : perMinute,
      reservedInteractivePercent: r.int('MASSIVE_RESERVED_INTERACTIVE', 40, 0, 90),
      timeoutMs: r.int('MASSIVE_TIMEOUT_MS', 10_000, 100, 120_000),
      quotes: r.bool('MASSIVE_QUOTES', true),
    },
    market: {
      snapshotMaxTickers: r.int('SNAPSHOT_MAX_TICKERS', 100, 1, 1000),
      snapshotCacheMs: r.int('SNAPSHOT_CACHE_MS', 2000, 0, 3_600_000),
      barsTailTtlMs: r.int('BARS_TAIL_TTL_MS', 5000, 0, 3_600_000),
      prefetchIntervalSec: r.int('PREFETCH_INTERVAL_SECONDS', 60, 0, 86_400),
      prefetchMinutes: r.int('PREFETCH_MINUTES', 24 * 60, 1, 7 * 24 * 60),
      splitsIntervalSec: r.int('SPLITS_INTERVAL_SECONDS', 900, 0, 86_400),
      optionsExpirationsCacheMs: r.int('OPTIONS_EXPIRATIONS_CACHE_MS', 5 * 60_000, 0, 24 * 3_600_000),
      optionsChainCacheMs: r.int('OPTIONS_CHAIN_CACHE_MS', 3000, 0, 3_600_000),
      simulatedHours: r.oneOf<'calendar' | 'always'>('SIMULATED_MARKET_HOURS', 'calendar', ['calendar', 'always']),
      simulatedQuotesPerTrade: r.int('SIMULATED_QUOTES_PER_TRADE', 5, 0, 50),
    },
    stream: {
      maxSubscriptions: r.int('WS_MAX_SUBSCRIPTIONS', 50, 1, 10_000),
      maxConnectionsPerUser: r.int('WS_MAX_CONNECTIONS_PER_USER', 5, 1, 1000),
      maxConnectionsPerProcess: r.int('WS_MAX_CONNECTIONS', 0, 0, 10_000_000),
      heartbeatMs: r.int('WS_HEARTBEAT_MS', 20_000, 1000, 55_000),
      keepaliveMs: r.int('WS_KEEPALIVE_MS', 2000, 250, 55_000),
      maxMessageBytes: r.int('WS_MAX_MESSAGE_BYTES', 4096, 256, 1024 * 1024),
      messagesPerSecond: r.int('WS_MESSAGES_PER_SECOND', 10, 1, 10_000),
      flushMs: r.int('STREAM_FLUSH_MS', 100, 0, 10_000),
      derivedMs: r.int('STREAM_DERIVED_MS', 1000, 0, 60_000),
      sendBufferBytes: r.int('WS_SEND_BUFFER_BYTES', 1024 * 1024, 16 * 1024, 64 * 1024 * 1024),
    },
  }
  if (config.timeouts.requestMs + 2000 > config.timeouts.idleSec * 1000)
    r.problems.push({
      key: 'REQUEST_DEADLINE_MS',
      message: `must be at least 2 s below HTTP_IDLE_TIMEOUT_SECONDS (${config.timeouts.idleSec} s), or slow answers are cut`,
    })
  if (r.problems.length > 0) throw new ConfigError(r.problems)
  return config
}

/** Comma-separated exact origins. "*" is refused: every route allows credentials (the session cookie), which must never go to any origin. */
function readCorsOrigins(r: EnvReader): string[] {
  const origins = r
    .str('CORS_ORIGINS', '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (origins.some((o) => o.includes('*'))) {
    r.problems.push({
      key: 'CORS_ORIGINS',
      message:
        'cannot contain "*": the API allows credentials (the session cookie), and credentials must never be shared with any origin; list the exact origins, e.g. https://app.example.com,https://admin.example.com',
    })
    return []
  }
  const bad = origins.filter((o) => !isOrigin(o))
  if (bad.length > 0)
    r.problems.push({
      key: 'CORS_ORIGINS',
      message: `each entry must be an origin as browsers send it (scheme://host[:port], lower case, no path), got ${bad.map((o) => `"${o}"`).join(', ')}`,
    })
  return origins.filter(isOrigin)
}

function isOrigin(s: string): boolean {
  try {
    return new URL(s).origin === s
  } catch {
    return false
  }
}

/**
 * TRUST_PROXY_HOPS, or the older TRUST_PROXY (true = 1 hop). Both set and disagreeing is refused:
 * the client address decides the per-address throttles, so it must not be a guess.
 */
function readTrustProxyHops(r: EnvReader): number {
  const legacy = r.optional('TRUST_PROXY') === null ? null : r.bool('TRUST_PROXY', false)
  const explicit = r.optional('TRUST_PROXY_HOPS') !== null
  const hops = r.int('TRUST_PROXY_HOPS', legacy ? 1 : 0, 0, 10)
  if (legacy !== null && explicit && legacy !== hops > 0)
    r.problems.push({
      key: 'TRUST_PROXY',
      message: `contradicts TRUST_PROXY_HOPS=${hops}; set only TRUST_PROXY_HOPS (TRUST_PROXY=true means 1 hop)`,
    })
  return hops
}
