/** Failed-login throttle: sliding-window failure counts per account and per client address; pure, time passed in. */

export interface ThrottleLimits {
  maxPerAccount: number
  maxPerAddress: number
  windowMs: number
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; scope: 'account' | 'address' }

/** Holds recent failure times per key; memory bounded by pruning keys whose failures all left the window. */
export class LoginThrottle {
  private failures = new Map<string, number[]>()
  constructor(private limits: ThrottleLimits) {}

  check(account: string, address: string, now: number): ThrottleVerdict {
    const a = this.blocked(`acct:${account}`, this.limits.maxPerAccount, now)
    if (a !== null) return { allowed: false, retryAfterMs: a, scope: 'account' }
    const b = this.blocked(`addr:${address}`, this.limits.maxPerAddress, now)
    if (b !== null) return { allowed: false, retryAfterMs: b, scope: 'address' }
    return { allowed: true }
  }

  recordFailure(account: string, address: string, now: number): void {
    for (const key of [`acct:${account}`, `addr:${address}`]) {
      const list = this.recent(key, now)
      list.push(now)
      this.failures.set(key, list)
    }
    if (this.failures.size > 10_000) this.prune(now)
  }

  /** A successful login clears the account's failures (not the address's). */
  recordSuccess(account: string): void {
    this.failures.delete(`acct:${account}`)
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.limits.windowMs)
  }

  private blocked(key: string, max: number, now: number): number | null {
    const list = this.recent(key, now)
    if (list.length < max) return null
    return Math.max(1, list[list.length - max] + this.limits.windowMs - now)
  }

  private prune(now: number): void {
    for (const [key, list] of this.failures)
      if (list.every((t) => t <= now - this.limits.windowMs)) this.failures.delete(key)
  }
}
