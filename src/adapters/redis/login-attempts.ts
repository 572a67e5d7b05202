/** RedisLoginAttempts: the failed-login throttle shared by every replica, one sorted set of failure times per account and per address. */
import { withTimeout } from './with-timeout'
import { slotKey, type RedisClient } from './connect'
import { LoginThrottle, type ThrottleLimits, type ThrottleVerdict } from '../../core/login-throttle'
import type { Logger } from '../../ports/logger'
import type { Clock } from '../../ports/clock'
import { createSystemClock } from '../clock/system-clock'
import type { LoginAttempts } from '../../ports/login-attempts'

export interface RedisLoginAttemptsOptions {
  /** A command connection (shared is fine); never closed here. */
  redis: RedisClient
  limits: ThrottleLimits
  /** Keys: `<prefix>:login:acct:<sha256(account)>` and `<prefix>:login:addr:<address>`; on a cluster `{<prefix>:login}:…`, one slot, as each script reads both. @default 'mw' */
  prefix?: string
  /** A Redis call slower than this counts as an outage: the answer then comes from this process. @default 500 */
  commandTimeoutMs?: number
  /** Told once when an outage starts and once when it ends. */
  log?: Logger
  /** @default createSystemClock() */
  clock?: Clock
}

/**
 * KEYS = account key, address key; ARGV = now, window start (exclusive: `(t`), windowMs, maxPerAccount, maxPerAddress.
 * Returns {0, 0} when allowed, else {1 (account) | 2 (address), retryAfterMs}, as LoginThrottle.check computes them.
 */
const checkScript = `
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[i + 3])
  local n = redis.call('ZCOUNT', key, ARGV[2], '+inf')
  if n >= max then
    local oldest = redis.call('ZRANGEBYSCORE', key, ARGV[2], '+inf', 'WITHSCORES', 'LIMIT', n - max, 1)
    return {i, math.max(1, tonumber(oldest[2]) + tonumber(ARGV[3]) - tonumber(ARGV[1]))}
  end
end
return {0, 0}`

/**
 * KEYS = account key, address key; ARGV = now, window start (inclusive), windowMs, member, maxPerAccount, maxPerAddress.
 * Drops failures that left the window, adds this one, keeps only the newest `max` (all a verdict reads), expires the
 * key with the window. One script, so racing replicas never lose or double a failure.
 */
const recordFailureScript = `
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
  redis.call('ZADD', key, ARGV[1], ARGV[4])
  redis.call('ZREMRANGEBYRANK', key, 0, -(tonumber(ARGV[i + 4]) + 1))
  redis.call('PEXPIRE', key, ARGV[3])
end
return 1`

/**
 * LoginAttempts over Redis. Every failure is also counted in this process, so while Redis is
 * down or slow (each call is bounded by commandTimeoutMs) verdicts come from this replica's own
 * failures instead of failing or delaying the login. When Redis answers "allowed", the local
 * verdict still applies, so failures counted during an outage keep counting after it.
 */
export class RedisLoginAttempts implements LoginAttempts {
  private readonly redis: RedisClient
  private readonly limits: ThrottleLimits
  private readonly keyPrefix: string
  private readonly commandTimeoutMs: number
  private readonly log: Logger | null
  private readonly clock: Clock
  private readonly local: LoginThrottle
  /** Makes every failure a distinct member, across replicas and within one millisecond. */
  private readonly instanceId = crypto.randomUUID().slice(0, 8)
  private sequence = 0
  /** True after the last Redis call failed or timed out: verdicts come from this process only. */
  degraded = false

  constructor(options: RedisLoginAttemptsOptions) {
    this.redis = options.redis
    this.limits = options.limits
    this.keyPrefix = slotKey(this.redis, `${options.prefix ?? 'mw'}:login`, ':')
    this.commandTimeoutMs = options.commandTimeoutMs ?? 500
    this.log = options.log ?? null
    this.clock = options.clock ?? createSystemClock()
    this.local = new LoginThrottle(options.limits)
  }

  async check(account: string, address: string, now: number): Promise<ThrottleVerdict> {
    const local = this.local.check(account, address, now)
    const { maxPerAccount, maxPerAddress, windowMs } = this.limits
    const reply = await this.attempt(() =>
      this.redis.eval(
        checkScript,
        2,
        this.accountKey(account),
        this.addressKey(address),
        String(now),
        `(${now - windowMs}`,
        String(windowMs),
        String(maxPerAccount),
        String(maxPerAddress),
      ),
    )
    if (reply === null) return local
    const [scope, retryAfterMs] = (reply as [number, number]).map(Number)
    if (scope === 0) return local
    return { allowed: false, retryAfterMs, scope: scope === 1 ? 'account' : 'address' }
  }

  async recordFailure(account: string, address: string, now: number): Promise<void> {
    this.local.recordFailure(account, address, now)
    const { maxPerAccount, maxPerAddress, windowMs } = this.limits
    await this.attempt(() =>
      this.redis.eval(
        recordFailureScript,
        2,
        this.accountKey(account),
        this.addressKey(address),
        String(now),
        String(now - windowMs),
        String(windowMs),
        `${now}:${this.instanceId}:${this.sequence++}`,
        String(maxPerAccount),
        String(maxPerAddress),
      ),
    )
  }

  async recordSuccess(account: string): Promise<void> {
    this.local.recordSuccess(account)
    await this.attempt(() => this.redis.del(this.accountKey(account)))
  }

  /** Emails stay out of Redis: the key holds a SHA-256 of the normalised account. */
  private accountKey(account: string): string {
    return `${this.keyPrefix}acct:${new Bun.CryptoHasher('sha256').update(account).digest('hex').slice(0, 32)}`
  }

  private addressKey(address: string): string {
    return `${this.keyPrefix}addr:${address}`
  }

  /** The call's reply, or null when Redis failed or was too slow; logs only where an outage starts or ends. */
  private async attempt<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      const reply = await withTimeout(call(), this.clock, this.commandTimeoutMs)
      if (this.degraded)
        this.log?.info('login throttle: Redis is back, failed logins are counted across replicas again')
      this.degraded = false
      return reply
    } catch (error) {
      if (!this.degraded)
        this.log?.warn('login throttle: Redis unreachable, failed logins are counted in this replica only', {
          error: String(error),
        })
      this.degraded = true
      return null
    }
  }
}
