/** The Redis topology settings besides REDIS_URL: Sentinel (REDIS_SENTINELS…) or a Redis Cluster (REDIS_CLUSTER_NODES), each refused together with the others. */
import type { EnvReader } from './env-reader'

/** Redis behind Sentinel: where the Sentinels are, the monitored primary's name, and the passwords if any. */
export interface RedisSentinelConfig {
  sentinels: { host: string; port: number }[]
  name: string
  /** AUTH of the primary and replicas (REDIS_PASSWORD). */
  password: string | null
  /** AUTH of the Sentinels (REDIS_SENTINEL_PASSWORD). */
  sentinelPassword: string | null
}

/** A Redis Cluster: some of its nodes (the client learns the rest) and the password if any. */
export interface RedisClusterConfig {
  nodes: { host: string; port: number }[]
  /** AUTH of every node (REDIS_PASSWORD). */
  password: string | null
}

/**
 * REDIS_SENTINELS (`host:port,…`) with REDIS_SENTINEL_NAME, and optionally REDIS_PASSWORD and
 * REDIS_SENTINEL_PASSWORD. Refused together with REDIS_URL: which Redis holds the deployment's
 * state must not be a guess.
 */
export function readRedisSentinel(r: EnvReader): RedisSentinelConfig | null {
  const list = r.optional('REDIS_SENTINELS')
  const name = r.optional('REDIS_SENTINEL_NAME')
  const password = r.optional('REDIS_PASSWORD')
  const sentinelPassword = r.optional('REDIS_SENTINEL_PASSWORD')
  if (list === null) {
    if (name !== null) r.problems.push({ key: 'REDIS_SENTINEL_NAME', message: 'needs REDIS_SENTINELS (host:port,…)' })
    const clustered = r.optional('REDIS_CLUSTER_NODES') !== null
    for (const [key, value] of [['REDIS_PASSWORD', clustered ? null : password], ['REDIS_SENTINEL_PASSWORD', sentinelPassword]] as const)
      if (value !== null)
        r.problems.push({ key, message: 'applies behind Sentinel (REDIS_SENTINELS) or on a cluster (REDIS_CLUSTER_NODES) only; with REDIS_URL put the password in the URL' })
    return null
  }
  if (r.optional('REDIS_URL') !== null) {
    r.problems.push({
      key: 'REDIS_SENTINELS',
      message:
        'cannot be combined with REDIS_URL: set REDIS_URL for one Redis server, or REDIS_SENTINELS and REDIS_SENTINEL_NAME for a primary that Sentinels manage',
    })
    return null
  }
  const entries = list.split(',').map((s) => s.trim()).filter(Boolean)
  const sentinels = entries.map(parseHostPort)
  const bad = entries.filter((_, i) => sentinels[i] === null)
  if (entries.length === 0 || bad.length > 0)
    r.problems.push({
      key: 'REDIS_SENTINELS',
      message: `must be host:port entries separated by commas (e.g. sentinel-1:26379,sentinel-2:26379,sentinel-3:26379)${bad.length > 0 ? `, got ${bad.map((b) => `"${b}"`).join(', ')}` : ''}`,
    })
  if (name === null) r.problems.push({ key: 'REDIS_SENTINEL_NAME', message: 'is required with REDIS_SENTINELS (the name in `sentinel monitor <name> …`)' })
  if (entries.length === 0 || bad.length > 0 || name === null) return null
  return { sentinels: sentinels as { host: string; port: number }[], name, password, sentinelPassword }
}

/**
 * REDIS_CLUSTER_NODES (`host:port,…`: some nodes of a Redis Cluster; the client discovers the
 * rest), optionally with REDIS_PASSWORD. Refused together with REDIS_URL or REDIS_SENTINELS.
 */
export function readRedisCluster(r: EnvReader): RedisClusterConfig | null {
  const list = r.optional('REDIS_CLUSTER_NODES')
  if (list === null) return null
  const other = ['REDIS_URL', 'REDIS_SENTINELS'].find((key) => r.optional(key) !== null)
  if (other !== undefined) {
    r.problems.push({
      key: 'REDIS_CLUSTER_NODES',
      message: `cannot be combined with ${other}: set one of REDIS_URL (one server), REDIS_SENTINELS (a primary Sentinels manage) or REDIS_CLUSTER_NODES (a Redis Cluster)`,
    })
    return null
  }
  const entries = list.split(',').map((s) => s.trim()).filter(Boolean)
  const nodes = entries.map(parseHostPort)
  const bad = entries.filter((_, i) => nodes[i] === null)
  if (entries.length === 0 || bad.length > 0) {
    r.problems.push({
      key: 'REDIS_CLUSTER_NODES',
      message: `must be host:port entries separated by commas (e.g. redis-1:6379,redis-2:6379,redis-3:6379)${bad.length > 0 ? `, got ${bad.map((b) => `"${b}"`).join(', ')}` : ''}`,
    })
    return null
  }
  return { nodes: nodes as { host: string; port: number }[], password: r.optional('REDIS_PASSWORD') }
}

/** `host:port` or `[v6]:port`, with a port from 1 to 65535; null otherwise. */
function parseHostPort(entry: string): { host: string; port: number } | null {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(entry)
  if (match === null) return null
  const port = Number(match[3])
  return port >= 1 && port <= 65535 ? { host: match[1] ?? match[2]!, port } : null
}
