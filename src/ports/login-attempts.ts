/** LoginAttempts port: failed-login counts per account and per client address, shared by every replica of a deployment. */
import type { ThrottleVerdict } from '../core/login-throttle'

export type { ThrottleLimits, ThrottleVerdict } from '../core/login-throttle'

/**
 * Contract (the rules of core/login-throttle.ts, wherever the failures are kept):
 * - `check` refuses an account with `maxPerAccount` failures inside the window, else an address
 *   with `maxPerAddress`; `retryAfterMs` is when the oldest of the last `max` failures leaves it.
 * - `recordFailure` counts one failure against both; concurrent calls are never lost or doubled.
 * - `recordSuccess` clears the account's failures, not the address's.
 * - Every instance of one deployment sees the same counts; never throws and never hangs on a
 *   store outage (an adapter then counts in its own process).
 */
export interface LoginAttempts {
  check(account: string, address: string, now: number): Promise<ThrottleVerdict>
  recordFailure(account: string, address: string, now: number): Promise<void>
  recordSuccess(account: string): Promise<void>
}
