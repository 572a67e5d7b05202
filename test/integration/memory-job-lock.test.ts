/** The in-process JobLock against the JobLock contract (one process: both "replicas" are the same instance). */
import { createMemoryJobLock } from '../../src/adapters/memory/memory-job-lock'
import { jobLockContract } from '../contracts/job-lock.contract'

jobLockContract('MemoryJobLock', async () => {
  const lock = createMemoryJobLock()
  return { a: lock, b: lock, close: async () => {} }
})
