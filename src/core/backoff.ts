/** Capped exponential backoff with full jitter, as a pure function of the attempt number and a random draw. */

export interface BackoffPolicy {
  /** Ceiling of the first retry. @default 500 */
  baseMs: number
  /** Ceiling of every retry. @default 30_000 */
  maxMs: number
  /** Floor of every delay, so a zero draw cannot spin. @default 100 */
  minMs: number
}

export const defaultBackoff: BackoffPolicy = { baseMs: 500, maxMs: 30_000, minMs: 100 }

/**
 * Delay before retry number `attempt` (0 = first retry): a uniform draw in
 * [minMs, min(maxMs, baseMs × 2^attempt)] ("full jitter"). `random` returns [0, 1).
 */
export function backoff(attempt: number, random: () => number, policy: BackoffPolicy = defaultBackoff): number {
  const exp = Math.min(Math.max(0, attempt), 30)
  const ceiling = Math.max(policy.minMs, Math.min(policy.maxMs, policy.baseMs * 2 ** exp))
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.round(policy.minMs + r * (ceiling - policy.minMs))
}
