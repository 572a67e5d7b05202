/** Transports built in one place: in memory for one process, Redis (one server, Sentinel or a cluster; one connection factory) for many replicas — bus, wanted symbols, connection caps, lease, throttles, rate limits, sign-outs, job lock. */
import type { Config } from '../config'
import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { LoginAttempts } from '../ports/login-attempts'
import type { RateLimiter } from '../ports/rate-limiter'
import type { RevokedTokens } from '../ports/revoked-tokens'
import { createMemoryJobLock } from '../adapters/memory/memory-job-lock'
import { MemoryBus } from '../adapters/memory/memory-bus'
import { MemoryConnectionCounter } from '../adapters/memory/memory-connection-counter'
import { MemoryLoginAttempts } from '../adapters/memory/memory-login-attempts'
import { MemoryRateLimiter } from '../adapters/memory/memory-rate-limiter'
import { MemoryRevokedTokens } from '../adapters/memory/memory-revoked-tokens'
import { MemorySymbolRegistry } from '../adapters/memory/memory-symbol-registry'
import { createRedisConnector, redisTopology } from '../adapters/redis/connect'
import { RedisConnectionCounter } from '../adapters/redis/connection-counter'
import { createRedisJobLock } from '../adapters/redis/job-lock'
import { RedisLease } from '../adapters/redis/lease'
import { RedisLoginAttempts } from '../adapters/redis/login-attempts'
import { RedisRateLimiter } from '../adapters/redis/rate-limiter'
import { RedisBus } from '../adapters/redis/redis-bus'
import { RedisRevokedTokens } from '../adapters/redis/revoked-tokens'
import { RedisSymbolRegistry } from '../adapters/redis/symbol-registry'

export type Transports = ReturnType<typeof createTransports>

export function createTransports(config: Config, log: Logger, clock: Clock) {
  // Every Redis connection comes from one factory: one server (REDIS_URL), the primary Sentinels name (REDIS_SENTINELS) or a cluster (REDIS_CLUSTER_NODES).
  const prefix = config.redisPrefix
  const topology = redisTopology(config)
  const connectRedis = topology ? createRedisConnector(topology, { prefix, log }) : null
  const redis = connectRedis?.('commands') ?? null
  const bus = connectRedis ? new RedisBus({ connect: connectRedis, prefix }) : new MemoryBus()
  const symbolRegistry = redis ? new RedisSymbolRegistry({ redis, bus, prefix }) : new MemorySymbolRegistry()
  const connectionCounter = redis ? new RedisConnectionCounter({ redis, prefix }) : new MemoryConnectionCounter()
  const limits = {
    maxPerAccount: config.auth.loginMaxFailuresPerAccount,
    maxPerAddress: config.auth.loginMaxFailuresPerAddress,
    windowMs: config.auth.loginWindowSec * 1000,
  }
  const loginAttempts: LoginAttempts = redis
    ? new RedisLoginAttempts({ redis, prefix, limits, log })
    : new MemoryLoginAttempts(limits)
  const revokedTokens: RevokedTokens = redis
    ? new RedisRevokedTokens({
        redis,
        prefix,
        tokenTtlSec: config.jwtTtlSec,
        log,
        clock,
        // Behind Sentinel a failover must not lose a sign-out: one replica confirms it, or it is written again.
        replicasToConfirm: topology?.kind === 'sentinel' ? 1 : 0,
      })
    : new MemoryRevokedTokens({ tokenTtlSec: config.jwtTtlSec, clock })
  const rateLimiter: RateLimiter = redis ? new RedisRateLimiter({ redis, prefix, log, clock }) : new MemoryRateLimiter()
  const jobLock = redis ? createRedisJobLock(redis, prefix) : createMemoryJobLock()
  const lease = redis
    ? new RedisLease({
        redis,
        key: `${prefix}:lease:upstream`,
        nodeId: bus.nodeId,
        ttlMs: config.upstreamLeaseMs,
        clock,
      })
    : null
  return { redis, bus, symbolRegistry, connectionCounter, loginAttempts, revokedTokens, rateLimiter, jobLock, lease }
}
