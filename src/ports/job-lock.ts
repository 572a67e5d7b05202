/** JobLock port: lets one replica at a time run a periodic job (prefetch); a holder that dies frees it after the TTL. */

export interface JobLock {
  /** Runs fn only if no one (here or on another replica) holds `name`; returns false when skipped. */
  runExclusive(name: string, ttlMs: number, fn: () => Promise<void>): Promise<boolean>
}
