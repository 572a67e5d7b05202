/** Fixed-window request limits: each key's window (staggered by key), the verdict for a count, the RateLimit fields (draft-ietf-httpapi-ratelimit-headers-07), and an in-memory counter; pure. */

export interface RatePolicy {
  /** Names the budget: counts of different policies never mix. */
  name: string
  /** Requests allowed per window. */
  limit: number
  windowMs: number
}

export interface RateVerdict {
  /** True while the count in the current window, this request included, is at most `limit`. */
  allowed: boolean
  limit: number
  /** Requests left in the current window (0 once over). */
  remaining: number
  /** Milliseconds until the current window ends and the count starts again (> 0). */
  resetMs: number
}

export interface RateWindow {
  /** Which window of the key `now` falls in; the same on every replica. */
  index: number
  /** When that window ends (Unix ms). */
  endsAt: number
}

/**
 * The window of `key` that `now` falls in. Windows are `windowMs` long and shifted by a hash of
 * the key, so different keys do not all start counting again at the same moment.
 */
export function windowOf(key: string, policy: RatePolicy, now: number): RateWindow {
  const offset = fnv1a(`${policy.name}:${key}`) % policy.windowMs
  const index = Math.floor((now + offset) / policy.windowMs)
  return { index, endsAt: (index + 1) * policy.windowMs - offset }
}

/** The verdict for the `count`th request of a window ending at `endsAt`. */
export function verdictOf(count: number, policy: RatePolicy, now: number, endsAt: number): RateVerdict {
  return {
    allowed: count <= policy.limit,
    limit: policy.limit,
    remaining: Math.max(0, policy.limit - count),
    resetMs: Math.max(1, endsAt - now),
  }
}

/** Seconds until the window resets, rounded up: Retry-After and the `reset` key say the same. */
export const resetSeconds = (verdict: RateVerdict): number => Math.max(1, Math.ceil(verdict.resetMs / 1000))

/**
 * The RateLimit-Policy and RateLimit response fields of draft-ietf-httpapi-ratelimit-headers-07:
 * `RateLimit-Policy: 120;w=60` and `RateLimit: limit=120, remaining=57, reset=23`.
 */
export function rateLimitFields(policy: RatePolicy, verdict: RateVerdict): { policy: string; state: string } {
  return {
    policy: `${policy.limit};w=${Math.ceil(policy.windowMs / 1000)}`,
    state: `limit=${verdict.limit}, remaining=${verdict.remaining}, reset=${resetSeconds(verdict)}`,
  }
}

/**
 * Counts per key and policy in this process's memory. Memory is bounded: keys whose window has
 * ended are dropped once there are more than `maxKeys`, then the oldest keys if still too many
 * (those keys start a fresh count: the bound favours memory over exactness under a key flood).
 */
export class FixedWindowCounter {
  private readonly windows = new Map<string, { index: number; endsAt: number; count: number }>()
  constructor(private readonly maxKeys = 100_000) {}

  take(key: string, policy: RatePolicy, now: number): RateVerdict {
    const id = `${policy.name}\u0000${key}`
    let entry = this.windows.get(id)
    const window = windowOf(key, policy, now)
    if (entry === undefined || entry.index !== window.index) {
      entry = { ...window, count: 0 }
      this.windows.delete(id)
      this.windows.set(id, entry)
      if (this.windows.size > this.maxKeys) this.prune(now)
    }
    entry.count++
    return verdictOf(entry.count, policy, now, entry.endsAt)
  }

  get size(): number {
    return this.windows.size
  }

  private prune(now: number): void {
    for (const [id, entry] of this.windows) if (entry.endsAt <= now) this.windows.delete(id)
    for (const id of this.windows.keys()) {
      if (this.windows.size <= this.maxKeys) break
      this.windows.delete(id)
    }
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units: cheap, stable across processes. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
