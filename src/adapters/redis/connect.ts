/** The one factory of Redis connections: every Redis user (bus, registry, lease, limits, revocations) opens its connections here, on one server or behind Sentinel. */
import Redis, { type RedisOptions } from 'ioredis'
import type { Logger } from '../../ports/logger'

/** A `host:port` pair (a Sentinel's address). */
export interface RedisAddress {
  host: string
  port: number
}

/** Where Redis is: one server (REDIS_URL), or the primary that Sentinels name (REDIS_SENTINELS, REDIS_SENTINEL_NAME). */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | {
      kind: 'sentinel'
      sentinels: RedisAddress[]
      /** The monitored primary's name (`sentinel monitor <name> …`). */
      name: string
      /** AUTH for the primary and replicas; null when they need none. */
      password: string | null
      /** AUTH for the Sentinels themselves; null when they need none. */
      sentinelPassword: string | null
    }

/** What a connection is for: its name in `CLIENT LIST` and its defaults. */
export type RedisRole = 'commands' | 'bus-publisher' | 'bus-subscriber' | 'revocations'

/** Opens a new connection for `role`; `options` are the user's own (queueing, timeouts, a connection name) and win over the defaults. */
export type RedisConnect = (role: RedisRole, options?: RedisOptions) => Redis

/** The Redis settings of the configuration (src/config.ts). */
export interface RedisSettings {
  redisUrl: string | null
  redisSentinel: {
    sentinels: RedisAddress[]
    name: string
    password: string | null
    sentinelPassword: string | null
  } | null
}

/** The topology the configuration names, or null for a single process without Redis (config.ts refuses both at once). */
export function redisTopology(settings: RedisSettings): RedisTopology | null {
  if (settings.redisSentinel !== null) return { kind: 'sentinel', ...settings.redisSentinel }
  if (settings.redisUrl !== null) return { kind: 'single', url: settings.redisUrl }
  return null
}

/** Reconnect quickly and keep trying: 50 ms, 100 ms, … at most 1 s apart. */
const reconnectDelayMs = (attempt: number) => Math.min(attempt * 50, 1000)

/**
 * Command connections never queue while Redis is away: a call fails at once (one retry on a
 * reconnect), so callers answer from their own fallbacks instead of hanging.
 */
const roleDefaults: Record<RedisRole, RedisOptions> = {
  commands: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
  revocations: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
  'bus-publisher': {},
  'bus-subscriber': {},
}

/**
 * Builds the factory for a topology. Behind Sentinel every connection asks the Sentinels for the
 * current primary on each (re)connect, checks that the server it reached really is a primary
 * (ROLE), listens for `+switch-master` on the Sentinels (ioredis's failoverDetector) so a
 * failover drops it at once instead of when a timeout notices, and reconnects on a READONLY reply
 * (a demoted primary that kept the connection). A subscriber left on a server that no longer
 * receives the publishes is what the bus's canary catches (RedisBus).
 */
export function createRedisConnector(
  topology: RedisTopology,
  { prefix, log }: { prefix: string; log?: Logger },
): RedisConnect {
  const base: RedisOptions =
    topology.kind === 'single'
      ? { retryStrategy: reconnectDelayMs }
      : {
          sentinels: topology.sentinels,
          name: topology.name,
          role: 'master',
          password: topology.password ?? undefined,
          sentinelPassword: topology.sentinelPassword ?? undefined,
          failoverDetector: true,
          retryStrategy: reconnectDelayMs,
          // Every Sentinel unreachable: start over the list soon, never give up.
          sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
          sentinelCommandTimeout: 1000,
          reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
        }
  return (role, options = {}) => {
    const merged: RedisOptions = { ...base, ...roleDefaults[role], connectionName: `${prefix}:${role}`, ...options }
    const client = topology.kind === 'single' ? new Redis(topology.url, merged) : new Redis(merged)
    // A listener keeps ioredis from printing unhandled errors; each user shows outages its own way.
    client.on('error', (error: Error) => log?.debug('redis error', { role, error: error.message }))
    return client
  }
}
