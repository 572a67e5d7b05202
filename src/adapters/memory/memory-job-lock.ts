/** JobLock in one process: only guards against overlapping runs of a job. */
import type { JobLock } from '../../ports/job-lock'

/** Single process: only guards against overlapping runs. */
export function createMemoryJobLock(): JobLock {
  const held = new Set<string>()
  return {
    async runExclusive(name, _ttlMs, fn) {
      if (held.has(name)) return false
      held.add(name)
      try {
        await fn()
      } finally {
        held.delete(name)
      }
      return true
    },
  }
}
