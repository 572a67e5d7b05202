/** RateLimiter port: requests counted per key against a fixed-window policy, shared by every replica of a deployment. */
import type { RatePolicy, RateVerdict } from '../core/rate-window'

export type { RatePolicy, RateVerdict }

/**
 * Contract (the windows of core/rate-window.ts, wherever the counts are kept):
 * - `take` counts one request of `key` under `policy` at `now` and answers the verdict with it
 *   included: allowed while the key's count in its current window is at most `policy.limit`.
 *   Refused requests count too; they never move the window's end.
 * - `resetMs` is the time until the key's current window (`windowOf`) ends; the next window
 *   starts from 0.
 * - Policies with different names never share a count, nor do different keys.
 * - Concurrent takes on any instance are never lost or doubled; every instance of one
 *   deployment sees the same counts. Never throws and never hangs on a store outage: an adapter
 *   then counts in its own process (each replica then allows the whole limit).
 */
export interface RateLimiter {
  take(key: string, policy: RatePolicy, now: number): Promise<RateVerdict>
}
