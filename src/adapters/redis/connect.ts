/** The one factory of Redis connections: every Redis user (bus, registry, lease, limits, revocations) opens its connections here, on one server, behind Sentinel or on a Redis Cluster. */
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis'
import type { Logger } from '../../ports/logger'

/** A `host:port` pair (a Sentinel's or a cluster node's address). */
export interface RedisAddress {
  host: string
  port: number
}

/** Where Redis is: one server (REDIS_URL), the primary that Sentinels name (REDIS_SENTINELS, REDIS_SENTINEL_NAME), or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster'
      /** Some of the cluster's nodes: the client learns the rest (CLUSTER SLOTS) from any that answers. */
      nodes: RedisAddress[]
      /** AUTH for every node; null when they need none. */
      password: string | null
    }
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

/**
 * A connection to one server (or the primary behind Sentinel), or a cluster client that routes each
 * command to the node owning its keys' slot. Users that need to know (hash tags, sharded Pub/Sub)
 * read `isCluster`.
 */
export type RedisClient = Redis | Cluster

/** Opens a new connection for `role`; `options` are the user's own (queueing, timeouts, a connection name) and win over the defaults. */
export type RedisConnect = (role: RedisRole, options?: RedisOptions) => RedisClient

/** The Redis settings of the configuration (src/config.ts). */
export interface RedisSettings {
  redisUrl: string | null
  redisSentinel: {
    sentinels: RedisAddress[]
    name: string
    password: string | null
    sentinelPassword: string | null
  } | null
  redisCluster?: { nodes: RedisAddress[]; password: string | null } | null
}

/** The topology the configuration names, or null for a single process without Redis (config.ts refuses two at once). */
export function redisTopology(settings: RedisSettings): RedisTopology | null {
  if (settings.redisCluster) return { kind: 'cluster', ...settings.redisCluster }
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
 * `key` with its hash tag on a cluster: keys a script or a transaction uses together must share a
 * slot, so there the part named `tag` is wrapped in braces (`{mw:wanted}:n1`); on one server the
 * key is unchanged, so rolling upgrades keep reading what older replicas wrote.
 */
export function slotKey(redis: RedisClient, tag: string, rest = ''): string {
  return redis.isCluster ? `{${tag}}${rest}` : tag + rest
}

/** Options of the cluster client itself (the rest go to every node's connection). */
const clusterLevelOptions = ['enableOfflineQueue', 'lazyConnect', 'enableReadyCheck'] as const

/** A cluster client whose node connections get `options`; a bus subscriber holds one sharded subscriber per primary (SSUBSCRIBE). */
function openCluster(nodes: RedisAddress[], password: string | null, role: RedisRole, options: RedisOptions): Cluster {
  const redisOptions: RedisOptions = { ...options, password: password ?? undefined }
  const clusterOptions: ClusterOptions = {
    redisOptions,
    clusterRetryStrategy: reconnectDelayMs,
    // A failover or resharding answers MOVED/TRYAGAIN/CLUSTERDOWN for a moment: retry soon.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    // Notice a promoted replica even when no command is redirected.
    slotsRefreshInterval: 2000,
    shardedSubscribers: role === 'bus-subscriber',
  }
  for (const key of clusterLevelOptions)
    if (options[key] !== undefined) Object.assign(clusterOptions, { [key]: options[key] })
  // The cluster's own queue holds commands only while the cluster is not ready, when the bus never
  // sends (it queues itself); turned off, ioredis refuses and resends the publishes that meet a
  // node connection still opening, out of order. Kept on for the bus.
  if (role === 'bus-publisher' || role === 'bus-subscriber') clusterOptions.enableOfflineQueue = true
  const cluster = new Cluster(nodes, clusterOptions)
  // Node connections open on their first command; opened at once, commands rarely meet one opening.
  cluster.on('+node', (node: Redis) => {
    if (node.status === 'wait') node.connect().catch(() => {})
  })
  return cluster
}

/**
 * Builds the factory for a topology. On a cluster every connection is an ioredis Cluster client
 * (commands go to the node owning their slot, MOVED and failovers are followed); the bus
 * subscriber's client keeps one sharded subscriber connection per primary. Behind Sentinel every connection asks the Sentinels for the
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
    topology.kind !== 'sentinel'
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
    const client =
      topology.kind === 'single'
        ? new Redis(topology.url, merged)
        : topology.kind === 'cluster'
          ? openCluster(topology.nodes, topology.password, role, merged)
          : new Redis(merged)
    // A listener keeps ioredis from printing unhandled errors; each user shows outages its own way.
    client.on('error', (error: Error) => log?.debug('redis error', { role, error: error.message }))
    return client
  }
}
