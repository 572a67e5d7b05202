/** RedisRateLimiter: fixed-window request counts shared by every replica, one counter key per key, policy and window. */
import type { RedisClient } from './connect'
import { FixedWindowCounter, verdictOf, windowOf } from '../../core/rate-window'
import type { Clock } from '../../ports/clock'
import { createSystemClock } from '../clock/system-clock'
import type { RateLimiter, RatePolicy, RateVerdict } from '../../ports/rate-limiter'
import type { Logger } from '../../ports/logger'
import { withTimeout } from './with-timeout'

export interface RedisRateLimiterOptions {
  /** A command connection (shared is fine); never closed here. */
  redis: RedisClient
  /** Keys: `<prefix>:ratelimit:<policy name>:<key>:<window index>`. @default 'mw' */
  prefix?: string
  /** A Redis call slower than this counts as an outage: the verdict then comes from this process. @default 250 */
  commandTimeoutMs?: number
  /** Told once when an outage starts and once when it ends. */
  log?: Logger
  /** Bounds the fallback counter's memory. @default 100_000 */
  maxLocalKeys?: number
  /** @default createSystemClock() */
  clock?: Clock
}

/**
 * KEYS = the window's counter; ARGV = its lifetime in ms (the rest of the window plus a margin
 * for clock differences between replicas), set by the window's first request. One script:
 * racing replicas never lose or double a count, and a counter never lives without an expiry.
 */
const takeScript = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`

/** Margin past a window's end before its counter expires. */
const expiryMarginMs = 10_000

/**
 * RateLimiter over Redis. Every request is also counted in this process, so while Redis is
 * down or slow (each call bounded by commandTimeoutMs) verdicts come from this replica's own
 * counts: the limit then applies per replica instead of failing or delaying the request.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: RedisClient
  private readonly keyPrefix: string
  private readonly commandTimeoutMs: number
  private readonly log: Logger | null
  private readonly clock: Clock
  private readonly local: FixedWindowCounter
  /** True after the last Redis call failed or timed out: verdicts come from this process only. */
  degraded = false

  constructor(options: RedisRateLimiterOptions) {
    this.redis = options.redis
    this.keyPrefix = `${options.prefix ?? 'mw'}:ratelimit:`
    this.commandTimeoutMs = options.commandTimeoutMs ?? 250
    this.log = options.log ?? null
    this.clock = options.clock ?? createSystemClock()
    this.local = new FixedWindowCounter(options.maxLocalKeys)
  }

  async take(key: string, policy: RatePolicy, now: number): Promise<RateVerdict> {
    const local = this.local.take(key, policy, now)
    const window = windowOf(key, policy, now)
    const counterKey = `${this.keyPrefix}${policy.name}:${key}:${window.index}`
    const reply = await this.attempt(() =>
      this.redis.eval(takeScript, 1, counterKey, String(window.endsAt - now + expiryMarginMs)),
    )
    if (reply === null) return local
    return verdictOf(Number(reply), policy, now, window.endsAt)
  }

  /** The call's reply, or null when Redis failed or was too slow; logs only where an outage starts or ends. */
  private async attempt<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      const reply = await withTimeout(call(), this.clock, this.commandTimeoutMs)
      if (this.degraded) this.log?.info('rate limits: Redis is back, requests are counted across replicas again')
      this.degraded = false
      return reply
    } catch (error) {
      if (!this.degraded)
        this.log?.warn('rate limits: Redis unreachable, requests are counted in this replica only', {
          error: String(error),
        })
      this.degraded = true
      return null
    }
  }
}
