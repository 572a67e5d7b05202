/** RedisConnectionCounter: per-user connection cap across replicas, a sorted set of connId → expiry per user. */
import { withTimeout } from './with-timeout'
import { slotKey, type RedisClient } from './connect'
import type { Clock, TimerHandle } from '../../ports/clock'
import { createSystemClock } from '../clock/system-clock'
import type { ConnectionCounter } from '../../ports/connection-counter'

export interface RedisConnectionCounterOptions {
  /** A command connection (shared is fine); the counter never closes it. */
  redis: RedisClient
  /** Keys: `<prefix>:conns:<userId>`; on a cluster `{<prefix>:conns}:<userId>`, one slot, as a refresh touches every user's key. @default 'mw' */
  prefix?: string
  /** Life of an entry without refresh; entries are refreshed every ttlMs / 3. @default 60000 */
  ttlMs?: number
  /** A Redis call slower than this counts as an outage (degraded, local count). @default 1000 */
  commandTimeoutMs?: number
  /** @default createSystemClock() */
  clock?: Clock
}

// Times come from Redis (TIME), so replicas with skewed clocks agree on expiry.
const nowMs = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`
// The key lives exactly as long as its longest-lived entry.
const expireWithLastEntry = `local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if top[2] then redis.call('PEXPIREAT', key, math.floor(tonumber(top[2]))) end`

/** KEYS[1] = user key; ARGV = connId, ttlMs, limit. Returns 1 when admitted. */
const acquireScript = `${nowMs}
local key = KEYS[1]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if not redis.call('ZSCORE', key, ARGV[1]) and redis.call('ZCARD', key) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1])
${expireWithLastEntry}
return 1`

/** KEYS = user keys; ARGV[1] = ttlMs, ARGV[i + 1] = the connId held under KEYS[i]. */
const refreshScript = `${nowMs}
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + tonumber(ARGV[1]), ARGV[i + 1])
  ${expireWithLastEntry}
end
return #KEYS`

/**
 * ConnectionCounter over Redis. Entries carry their own expiry (score), so a dead replica's
 * connections stop counting ttlMs after its last refresh. Refresh re-adds missing entries, so
 * connections admitted while Redis was down are counted again once it is back.
 */
export class RedisConnectionCounter implements ConnectionCounter {
  private readonly redis: RedisClient
  private readonly keyPrefix: string
  private readonly ttlMs: number
  private readonly commandTimeoutMs: number
  private readonly clock: Clock
  /** connId → userId for every connection this replica holds. */
  private readonly held = new Map<string, string>()
  private readonly countByUser = new Map<string, number>()
  private refreshTimer: TimerHandle | null = null
  private closed = false
  /** True after the last Redis call failed: admissions use the local count. */
  degraded = false

  constructor(options: RedisConnectionCounterOptions) {
    this.redis = options.redis
    this.keyPrefix = slotKey(this.redis, `${options.prefix ?? 'mw'}:conns`, ':')
    this.ttlMs = options.ttlMs ?? 60_000
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1000
    this.clock = options.clock ?? createSystemClock()
  }

  async tryAcquire(userId: string, connId: string, limit: number): Promise<boolean> {
    if (this.held.get(connId) === userId) return true
    let admitted: boolean
    try {
      const reply = await this.call(
        acquireScript,
        [this.keyPrefix + userId],
        [connId, String(this.ttlMs), String(limit)],
      )
      admitted = Number(reply) === 1
    } catch {
      admitted = this.localCount(userId) < limit
      // A timed-out acquire may still run later; withdraw it then (same connection, FIFO) if we refused.
      if (!admitted) this.redis.zrem(this.keyPrefix + userId, connId).catch(() => {})
    }
    if (admitted && !this.closed) this.hold(userId, connId)
    return admitted
  }

  async release(userId: string, connId: string): Promise<void> {
    if (this.held.get(connId) === userId) {
      this.held.delete(connId)
      const count = (this.countByUser.get(userId) ?? 1) - 1
      if (count > 0) this.countByUser.set(userId, count)
      else this.countByUser.delete(userId)
    }
    try {
      await withTimeout(this.redis.zrem(this.keyPrefix + userId, connId), this.clock, this.commandTimeoutMs)
      this.degraded = false
    } catch {
      this.degraded = true // the entry expires on its own
    }
  }

  async refresh(): Promise<void> {
    if (this.held.size === 0) return
    const keys: string[] = []
    const connIds: string[] = []
    for (const [connId, userId] of this.held) {
      keys.push(this.keyPrefix + userId)
      connIds.push(connId)
    }
    try {
      await this.call(refreshScript, keys, [String(this.ttlMs), ...connIds])
    } catch {
      // Degraded until the next refresh succeeds; entries live ttlMs, refreshes run every ttlMs / 3.
    }
  }

  localCount(userId: string): number {
    return this.countByUser.get(userId) ?? 0
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.refreshTimer !== null) this.clock.clearTimeout(this.refreshTimer)
    this.refreshTimer = null
  }

  private hold(userId: string, connId: string): void {
    if (this.held.get(connId) === userId) return
    this.held.set(connId, userId)
    this.countByUser.set(userId, this.localCount(userId) + 1)
    if (this.refreshTimer === null) this.scheduleRefresh()
  }

  private scheduleRefresh(): void {
    this.refreshTimer = this.clock.setTimeout(
      async () => {
        await this.refresh()
        this.refreshTimer = null
        if (!this.closed && this.held.size > 0) this.scheduleRefresh()
      },
      Math.max(1, Math.floor(this.ttlMs / 3)),
    )
  }

  private async call(script: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      const reply = await withTimeout(
        this.redis.eval(script, keys.length, ...keys, ...args),
        this.clock,
        this.commandTimeoutMs,
      )
      this.degraded = false
      return reply
    } catch (error) {
      this.degraded = true
      throw error
    }
  }
}
