/** RateLimiter in one process: fixed-window counts in this process's memory. */
import { FixedWindowCounter, type RatePolicy, type RateVerdict } from '../../core/rate-window'
import type { RateLimiter } from '../../ports/rate-limiter'

/** Single process: the counter in this process's memory is the whole truth. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counter: FixedWindowCounter

  constructor(maxKeys?: number) {
    this.counter = new FixedWindowCounter(maxKeys)
  }

  async take(key: string, policy: RatePolicy, now: number): Promise<RateVerdict> {
    return this.counter.take(key, policy, now)
  }
}
