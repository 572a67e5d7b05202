/** RedisLease: elects the one replica that holds the upstream connection (SET NX PX + renewal + fencing token). */
import { slotKey, type RedisClient } from './connect'
import type { Clock, TimerHandle } from '../../ports/clock'
import { createSystemClock } from '../clock/system-clock'

/**
 * A lease some replica holds and the others wait for. Contract:
 * - at most one node considers itself holder at any instant, provided node clocks run at
 *   the same rate (not: agree on the time): a holder that cannot renew gives up locally,
 *   with `onLost`, before the key can expire in Redis and another node can acquire it;
 * - every acquisition gets a fencing token greater than all earlier ones; a holder passes
 *   it along with side effects so stale holders can be rejected downstream;
 * - after a holder dies, another contender acquires within `ttlMs` (plus a Redis round trip):
 *   a contender that finds the key about to expire comes back when it does, not a renewal
 *   interval later; after a graceful `close()` (which releases), within `ttlMs / 3`.
 * Listeners run synchronously; a holder must stop acting as soon as `onLost` fires.
 */
export interface Lease {
  /** True while this node holds the lease. */
  readonly holding: boolean
  /** The fencing token of the current holding, or null when not holding. */
  readonly token: number | null
  /** Starts contending. Idempotent. */
  start(): void
  onAcquired(listener: (token: number) => void): () => void
  onLost(listener: () => void): () => void
  /** Stops contending and releases the lease if held (firing onLost); never throws. */
  close(): Promise<void>
}

export interface RedisLeaseOptions {
  /** A command connection (shared is fine); the lease never closes it. */
  redis: RedisClient
  /** The lease key, e.g. `mw:lease:upstream`; the fencing counter lives at `<key>:fence` (on a cluster `{<key>}` and `{<key>}:fence`, one slot). */
  key: string
  /** Identity stored in the key; must be unique among contenders (use Bus.nodeId). */
  nodeId: string
  /** How long a holding lasts without renewal. Renewal (and a contender's poll) runs every ttlMs / 3. @default 15000 */
  ttlMs?: number
  /** @default createSystemClock() */
  clock?: Clock
}

/**
 * SET NX PX; the current holder may re-acquire (after a local timeout) without waiting for expiry.
 * Replies {fencing token, 0} when acquired, else {0, the key's remaining ms (PTTL)}.
 */
const acquireScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) or redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {redis.call('INCR', KEYS[2]), 0}
end
return {0, redis.call('PTTL', KEYS[1])}`

const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

type Status = 'idle' | 'contending' | 'holding' | 'closed'

/** [fencing token or 0, the holder's remaining ms or -1] from an acquire reply; a failed call is [0, -1]. */
function acquireReply(reply: unknown): [token: number, heldForMs: number] {
  if (!Array.isArray(reply)) return [0, -1]
  const [token, heldForMs] = reply.map(Number)
  return [Number.isFinite(token) ? token! : 0, Number.isFinite(heldForMs) ? heldForMs! : -1]
}

/** A throwing listener must not break the lease's timers. */
function guard(listener: () => void): void {
  try {
    listener()
  } catch (error) {
    console.error('lease listener threw', error)
  }
}

/** Lease over one Redis key. Built idle: call `start()` after attaching listeners. */
export class RedisLease implements Lease {
  private readonly redis: RedisClient
  private readonly key: string
  private readonly fenceKey: string
  private readonly nodeId: string
  private readonly ttlMs: number
  private readonly renewEveryMs: number
  /** Margin for clock-rate drift between this node and Redis (as in Redlock). */
  private readonly driftMs: number
  private readonly clock: Clock
  private readonly acquiredListeners = new Set<(token: number) => void>()
  private readonly lostListeners = new Set<() => void>()
  private status: Status = 'idle'
  private currentToken: number | null = null
  /** Bumped on every acquire and loss, so a late reply of an older attempt is ignored. */
  private generation = 0
  private nextAttempt: TimerHandle | null = null
  private deadline: TimerHandle | null = null

  constructor(options: RedisLeaseOptions) {
    this.redis = options.redis
    this.key = slotKey(this.redis, options.key)
    this.fenceKey = slotKey(this.redis, options.key, ':fence')
    this.nodeId = options.nodeId
    this.ttlMs = options.ttlMs ?? 15_000
    this.renewEveryMs = Math.max(1, Math.floor(this.ttlMs / 3))
    this.driftMs = Math.floor(this.ttlMs * 0.01) + 2
    this.clock = options.clock ?? createSystemClock()
  }

  get holding(): boolean {
    return this.status === 'holding'
  }

  get token(): number | null {
    return this.currentToken
  }

  start(): void {
    if (this.status !== 'idle') return
    this.status = 'contending'
    this.schedule(0)
  }

  onAcquired(listener: (token: number) => void): () => void {
    this.acquiredListeners.add(listener)
    return () => this.acquiredListeners.delete(listener)
  }

  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener)
    return () => this.lostListeners.delete(listener)
  }

  async close(): Promise<void> {
    if (this.status === 'closed') return
    const wasHolding = this.status === 'holding'
    this.clearTimers()
    this.status = 'closed'
    this.generation++
    this.currentToken = null
    if (wasHolding) this.emitLost()
    // Releasing lets a contender take over at its next poll instead of after the ttl.
    await this.call(releaseScript, [this.nodeId]).catch(() => {})
  }

  private async attempt(): Promise<void> {
    this.nextAttempt = null
    if (this.status === 'contending') await this.tryAcquire()
    else if (this.status === 'holding') await this.renew()
  }

  private async tryAcquire(): Promise<void> {
    const sentAt = this.clock.now()
    const generation = this.generation
    const [token, heldForMs] = acquireReply(
      await this.call(acquireScript, [this.nodeId, String(this.ttlMs)]).catch(() => null),
    )
    if (generation !== this.generation || this.status !== 'contending') return
    const validUntil = sentAt + this.ttlMs - this.driftMs
    const now = this.clock.now()
    // A reply so late that the holding may already be over is not trusted; the retry re-acquires.
    if (token > 0 && now < validUntil) {
      this.status = 'holding'
      this.generation++
      this.currentToken = token
      this.armDeadline(validUntil - now)
      this.schedule(Math.min(this.renewEveryMs, Math.floor((validUntil - now) / 2)))
      for (const listener of this.acquiredListeners) guard(() => listener(token))
    } else if (token > 0) {
      this.schedule(0)
    } else {
      // Held by another: poll every renewal interval, or right after the key expires if that is sooner
      // (its holder stopped renewing), so a crashed holder is replaced within ttlMs, not ttlMs * 4/3.
      const expiresIn = heldForMs >= 0 ? heldForMs + 1 : Infinity
      this.schedule(Math.min(this.renewEveryMs, expiresIn))
    }
  }

  private async renew(): Promise<void> {
    const sentAt = this.clock.now()
    const generation = this.generation
    let renewed: boolean | null
    try {
      renewed = Number(await this.call(renewScript, [this.nodeId, String(this.ttlMs)])) === 1
    } catch {
      renewed = null
    }
    if (generation !== this.generation || this.status !== 'holding') return
    if (renewed === true) {
      this.armDeadline(sentAt + this.ttlMs - this.driftMs - this.clock.now())
      this.schedule(this.renewEveryMs)
    } else if (renewed === false) {
      this.lose() // the key expired or belongs to someone else
    } else {
      // Redis unreachable: retry sooner; the deadline timer ends the holding if this persists.
      this.schedule(Math.max(1, Math.floor(this.renewEveryMs / 3)))
    }
  }

  private lose(): void {
    if (this.status !== 'holding') return
    this.status = 'contending'
    this.generation++
    this.currentToken = null
    this.clearTimers()
    this.emitLost()
    this.schedule(this.renewEveryMs)
  }

  private emitLost(): void {
    for (const listener of this.lostListeners) guard(listener)
  }

  /** Runs the script, giving up after one renewal interval so a stalled Redis cannot stall the lease. */
  private call(script: string, args: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new Error('lease command timed out')), this.renewEveryMs)
      this.redis.eval(script, 2, this.key, this.fenceKey, ...args).then(
        (value) => {
          this.clock.clearTimeout(timer)
          resolve(value)
        },
        (error) => {
          this.clock.clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  private schedule(delayMs: number): void {
    if (this.nextAttempt !== null) this.clock.clearTimeout(this.nextAttempt)
    this.nextAttempt = this.clock.setTimeout(() => void this.attempt(), Math.max(0, delayMs))
  }

  private armDeadline(inMs: number): void {
    if (this.deadline !== null) this.clock.clearTimeout(this.deadline)
    this.deadline = this.clock.setTimeout(() => {
      this.deadline = null
      this.lose()
    }, Math.max(0, inMs))
  }

  private clearTimers(): void {
    if (this.nextAttempt !== null) this.clock.clearTimeout(this.nextAttempt)
    if (this.deadline !== null) this.clock.clearTimeout(this.deadline)
    this.nextAttempt = this.deadline = null
  }
}
