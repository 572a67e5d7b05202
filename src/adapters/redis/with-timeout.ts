/** withTimeout: a Redis call bounded in time on the injected clock, so an unreachable Redis never hangs a caller. */
import type { Clock } from '../../ports/clock'

/** Settles like `promise`, or rejects with 'redis call timed out' after `ms` on `clock`. */
export function withTimeout<T>(promise: Promise<T>, clock: Clock, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new Error('redis call timed out')), ms)
    promise.then(
      (value) => (clock.clearTimeout(timer), resolve(value)),
      (error) => (clock.clearTimeout(timer), reject(error)),
    )
  })
}
