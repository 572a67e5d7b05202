/** RedisRevokedTokens: signed-out session tokens shared by every replica, one expiring key per token and per signed-out user. */
import type { RedisClient } from './connect'
import { withTimeout } from './with-timeout'
import { RevocationList, type Revocation, type TokenRef } from '../../core/revocation-list'
import type { Logger } from '../../ports/logger'
import type { Clock } from '../../ports/clock'
import { createSystemClock } from '../clock/system-clock'
import type { RevokedTokens } from '../../ports/revoked-tokens'

export interface RedisRevokedTokensOptions {
  /** A command connection (shared is fine); never closed here. */
  redis: RedisClient
  /** The longest lifetime of a token (JWT_TTL_SECONDS): how long a sign-out-everywhere is kept. */
  tokenTtlSec: number
  /** Keys: `<prefix>:revoked:jti:<jti>` (until the token's exp) and `<prefix>:revoked:user:<userId>` (the cutoff). @default 'mw' */
  prefix?: string
  /** A Redis call slower than this counts as an outage. @default 500 */
  commandTimeoutMs?: number
  /** During an outage, checks answer locally at once and Redis is asked again at most this often. @default 1000 */
  retryIntervalMs?: number
  /**
   * Replicas that must have a sign-out (WAIT) before Redis counts as keeping it; behind Sentinel 1,
   * so a failover cannot lose a sign-out the old primary acknowledged but had not replicated. One
   * not confirmed within confirmTimeoutMs is written again after the next reconnect. @default 0
   */
  replicasToConfirm?: number
  /** Longest WAIT for those replicas. @default 100 */
  confirmTimeoutMs?: number
  /** Told once when an outage starts and once when it ends. */
  log?: Logger
  /** @default createSystemClock() */
  clock?: Clock
}

/** KEYS = user key; ARGV = cutoff (Unix s, may carry ms), key expiry (Unix ms). Only moves the cutoff forward. */
const raiseCutoffScript = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
end
return 1`

/**
 * RevokedTokens over Redis, with a local copy. Every revocation this replica makes, hears on the
 * bus (`learn`) or reads from Redis is also kept in this process, so a token known to be revoked
 * costs no Redis call. When Redis is down or slow (each call bounded by commandTimeoutMs), checks
 * FAIL OPEN to that local copy: a token this replica knows is revoked stays refused, any other is
 * accepted, and one warning is logged per outage (an outage must not sign everyone out, and the
 * tokens still expire on their own). While degraded, Redis is probed at most once per
 * retryIntervalMs, so requests do not each wait out the timeout. Revocations made during an
 * outage are written to Redis once it answers again; with `replicasToConfirm`, so are those no
 * replica confirmed, after every reconnect (the primary may have changed and lost them).
 */
export class RedisRevokedTokens implements RevokedTokens {
  private readonly redis: RedisClient
  private readonly tokenTtlSec: number
  private readonly keyPrefix: string
  private readonly commandTimeoutMs: number
  private readonly retryIntervalMs: number
  private readonly log: Logger | null
  private readonly clock: Clock
  private readonly local: RevocationList
  /** Revocations Redis has not stored yet (made during an outage), by key. */
  private readonly unsynced = new Map<string, Revocation>()
  /** Revocations the primary stored but no replica confirmed in time, by key: written again after a reconnect. */
  private readonly unconfirmed = new Map<string, Revocation>()
  private readonly replicasToConfirm: number
  private readonly confirmTimeoutMs: number
  private syncing = false
  private retryAt = 0
  /** True after the last Redis call failed or timed out: checks answer from this process only. */
  degraded = false

  constructor(options: RedisRevokedTokensOptions) {
    this.redis = options.redis
    this.tokenTtlSec = options.tokenTtlSec
    this.keyPrefix = `${options.prefix ?? 'mw'}:revoked:`
    this.commandTimeoutMs = options.commandTimeoutMs ?? 500
    this.retryIntervalMs = options.retryIntervalMs ?? 1000
    this.log = options.log ?? null
    this.clock = options.clock ?? createSystemClock()
    this.local = new RevocationList(options.tokenTtlSec)
    this.replicasToConfirm = options.replicasToConfirm ?? 0
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 100
    // Back from an outage: what was held back is written at once, not at this replica's next Redis call
    // (a replica that revoked a token answers its own checks locally and might not call Redis for long,
    // while the other replicas ask Redis and would not hear of that sign-out).
    this.redis.on('ready', () => {
      // A new connection may be to a new primary: what no replica had confirmed is written again.
      for (const [key, revocation] of this.unconfirmed) this.unsynced.set(key, revocation)
      this.unconfirmed.clear()
      if (this.unsynced.size > 0) void this.syncUnsynced()
    })
  }

  async revoke(jti: string, expSec: number): Promise<void> {
    await this.store({ kind: 'token', jti, expSec })
  }

  async revokeAllBefore(userId: number, atSec: number): Promise<void> {
    await this.store({ kind: 'user', userId, beforeSec: atSec })
  }

  async isRevoked(token: TokenRef): Promise<boolean> {
    if (this.local.isRevoked(token)) return true
    if (!this.mayAskRedis()) return false
    const reply = await this.attempt(() => this.read(this.tokenKey(token.jti), this.userKey(token.userId)))
    if (reply === null) return false
    const [tokenHit, cutoff] = reply
    if (tokenHit !== null) this.learn({ kind: 'token', jti: token.jti, expSec: token.exp })
    if (cutoff !== null) this.learn({ kind: 'user', userId: token.userId, beforeSec: Number(cutoff) })
    return this.local.isRevoked(token)
  }

  /** Both keys at once: MGET on one server; on a cluster two GETs, as the keys lie in different slots (spread, not one hot slot). */
  private read(tokenKey: string, userKey: string): Promise<(string | null)[]> {
    if (!this.redis.isCluster) return this.redis.mget(tokenKey, userKey)
    return Promise.all([this.redis.get(tokenKey), this.redis.get(userKey)])
  }

  learn(revocation: Revocation): void {
    this.local.add(revocation, this.nowSec())
  }

  /** Revocations waiting for Redis (made during an outage), for tests and metrics. */
  get unsyncedCount(): number {
    return this.unsynced.size
  }

  private async store(revocation: Revocation): Promise<void> {
    this.learn(revocation)
    if ((await this.attempt(() => this.write(revocation))) !== null) return this.confirm(revocation)
    const key = this.keyOf(revocation)
    const waiting = this.unsynced.get(key)
    if (waiting?.kind === 'user' && revocation.kind === 'user' && waiting.beforeSec > revocation.beforeSec) return
    this.unsynced.set(key, revocation)
  }

  private write(revocation: Revocation): Promise<unknown> {
    const key = this.keyOf(revocation)
    if (revocation.kind === 'token') return this.redis.set(key, '1', 'PXAT', Math.ceil(revocation.expSec * 1000))
    const expiresAtMs = Math.ceil((revocation.beforeSec + this.tokenTtlSec) * 1000)
    return this.redis.eval(raiseCutoffScript, 1, key, String(revocation.beforeSec), String(expiresAtMs))
  }

  /** Writes what an outage held back, oldest first; stops at the first failure (the next recovery resumes). */
  private async syncUnsynced(): Promise<void> {
    if (this.syncing) return
    this.syncing = true
    try {
      for (const [key, revocation] of [...this.unsynced]) {
        const untilSec = revocation.kind === 'token' ? revocation.expSec : revocation.beforeSec + this.tokenTtlSec
        if (untilSec > this.nowSec() && (await this.attempt(() => this.write(revocation))) === null) return
        if (this.unsynced.get(key) === revocation) this.unsynced.delete(key)
        await this.confirm(revocation)
      }
    } finally {
      this.syncing = false
    }
  }

  /** With replicasToConfirm: waits (WAIT) for replicas to have what was just written; unconfirmed, it is kept for the next reconnect. */
  private async confirm(revocation: Revocation): Promise<void> {
    if (this.replicasToConfirm === 0) return
    const key = this.keyOf(revocation)
    const replicas = await this.attempt(() => this.redis.wait(this.replicasToConfirm, this.confirmTimeoutMs))
    if (replicas !== null && replicas >= this.replicasToConfirm) this.unconfirmed.delete(key)
    else this.unconfirmed.set(key, revocation)
  }

  /** Revocations stored but not confirmed by a replica (waiting for a reconnect), for tests. */
  get unconfirmedCount(): number {
    return this.unconfirmed.size
  }

  /** False while degraded, except once per retryIntervalMs (that check probes Redis). */
  private mayAskRedis(): boolean {
    if (!this.degraded) return true
    const now = this.clock.now()
    if (now < this.retryAt) return false
    this.retryAt = now + this.retryIntervalMs
    return true
  }

  private keyOf(revocation: Revocation): string {
    return revocation.kind === 'token' ? this.tokenKey(revocation.jti) : this.userKey(revocation.userId)
  }

  private tokenKey(jti: string): string {
    return `${this.keyPrefix}jti:${jti}`
  }

  private userKey(userId: number): string {
    return `${this.keyPrefix}user:${userId}`
  }

  private nowSec(): number {
    return this.clock.now() / 1000
  }

  /** The call's reply, or null when Redis failed or was too slow; logs only where an outage starts or ends. */
  private async attempt<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      const reply = await withTimeout(call(), this.clock, this.commandTimeoutMs)
      if (this.degraded) {
        this.log?.info('session revocations: Redis is back, sign-outs are shared across replicas again')
        this.degraded = false
      }
      if (this.unsynced.size > 0) void this.syncUnsynced()
      return reply
    } catch (error) {
      if (!this.degraded)
        this.log?.warn(
          'session revocations: Redis unreachable; tokens are checked against the sign-outs this replica knows only',
          { error: String(error) },
        )
      this.degraded = true
      this.retryAt = this.clock.now() + this.retryIntervalMs
      return null
    }
  }
}
