/** LoginAttempts in one process: the pure login throttle in this process's memory. */
import { LoginThrottle, type ThrottleLimits, type ThrottleVerdict } from '../../core/login-throttle'
import type { LoginAttempts } from '../../ports/login-attempts'

/** Single process: the pure throttle in this process's memory is the whole truth. */
export class MemoryLoginAttempts implements LoginAttempts {
  private readonly throttle: LoginThrottle

  constructor(limits: ThrottleLimits) {
    this.throttle = new LoginThrottle(limits)
  }

  async check(account: string, address: string, now: number): Promise<ThrottleVerdict> {
    return this.throttle.check(account, address, now)
  }

  async recordFailure(account: string, address: string, now: number): Promise<void> {
    this.throttle.recordFailure(account, address, now)
  }

  async recordSuccess(account: string): Promise<void> {
    this.throttle.recordSuccess(account)
  }
}
