/** Capped exponential backoff with jitter, as a pure function of the attempt number and a random draw: the one backoff of server and browser client. */

export interface BackoffPolicy {
  /** Ceiling of the first retry. @default 500 */
  baseMs: number
  /** Ceiling of every retry. @default 30_000 */
  maxMs: number
  /** Floor of every delay, so a zero draw cannot spin. @default 100 */
  minMs: number
  /**
   * 'full': uniform between the floor and the ceiling; 'equal': in the upper half of the ceiling
   * (never far below it, for retries that must not come back too soon). @default 'full'
   */
  jitter?: 'full' | 'equal'
}

const defaultBackoff: BackoffPolicy = { baseMs: 500, maxMs: 30_000, minMs: 100 }

/**
 * Delay before retry number `attempt` (0 = first retry), rounded to the millisecond: a uniform draw
 * in [minMs, ceiling] ("full jitter") or [max(minMs, ceiling / 2), ceiling] ("equal jitter"), where
 * ceiling = min(maxMs, baseMs × 2^attempt). `random` returns [0, 1).
 */
export function backoff(attempt: number, random: () => number, policy: BackoffPolicy = defaultBackoff): number {
  const exp = Math.min(Math.max(0, attempt), 30)
  const ceiling = Math.max(policy.minMs, Math.min(policy.maxMs, policy.baseMs * 2 ** exp))
  const floor = policy.jitter === 'equal' ? Math.max(policy.minMs, ceiling / 2) : policy.minMs
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.round(floor + r * (ceiling - floor))
}
