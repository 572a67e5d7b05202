/** The JobLock contract: one suite every adapter must pass (two instances of one deployment standing in for two replicas). */
import { afterEach, describe, expect, it } from 'bun:test'
import type { JobLock } from '../../src/ports/job-lock'
import { deferred } from '../support/wait'

/** Two instances of one deployment (two replicas; one process may hand back the same object twice). */
export interface JobLockPair {
  a: JobLock
  b: JobLock
  close(): Promise<void>
}

const ttlMs = 30_000

export function jobLockContract(name: string, makePair: () => Promise<JobLockPair>): void {
  describe(`JobLock contract: ${name}`, () => {
    let pair: JobLockPair | null = null
    const open = async () => (pair = await makePair())
    afterEach(async () => {
      await pair?.close()
      pair = null
    })
    /** A job name no other test (or run) has used. */
    const freshName = () => `job-${crypto.randomUUID().slice(0, 8)}`

    it('should run the job and answer true when nobody holds its name, and free the name when it ends', async () => {
      const { a, b } = await open()
      const name = freshName()
      let runs = 0
      expect(await a.runExclusive(name, ttlMs, async () => void runs++)).toBe(true)
      expect(await b.runExclusive(name, ttlMs, async () => void runs++)).toBe(true)
      expect(await a.runExclusive(name, ttlMs, async () => void runs++)).toBe(true)
      expect(runs).toBe(3)
    })

    it('should skip a job (false, not run) while its name is held on either instance, and run other names meanwhile', async () => {
      const { a, b } = await open()
      const [name, other] = [freshName(), freshName()]
      const started = deferred()
      const finish = deferred()
      let skippedRan = false
      const holding = a.runExclusive(name, ttlMs, async () => {
        started.resolve()
        await finish.promise
      })
      await started.promise
      expect(await b.runExclusive(name, ttlMs, async () => void (skippedRan = true))).toBe(false)
      expect(await a.runExclusive(name, ttlMs, async () => void (skippedRan = true))).toBe(false)
      expect(await b.runExclusive(other, ttlMs, async () => {})).toBe(true)
      expect(skippedRan).toBe(false)
      finish.resolve()
      expect(await holding).toBe(true)
      expect(await b.runExclusive(name, ttlMs, async () => {})).toBe(true)
    })

    it('should let exactly one of two instances racing for a name run it', async () => {
      const { a, b } = await open()
      const name = freshName()
      let running = 0
      let most = 0
      const finish = deferred()
      const job = async () => {
        running++
        most = Math.max(most, running)
        await finish.promise
        running--
      }
      const racing = [a.runExclusive(name, ttlMs, job), b.runExclusive(name, ttlMs, job)]
      // The loser answers while the winner's job still waits to finish.
      expect(await Promise.race(racing)).toBe(false)
      finish.resolve()
      expect((await Promise.all(racing)).sort()).toEqual([false, true])
      expect(most).toBe(1)
    })

    it('should pass a failing job’s error on and free the name', async () => {
      const { a, b } = await open()
      const name = freshName()
      const failing = a.runExclusive(name, ttlMs, async () => {
        throw new Error('job failed')
      })
      await expect(failing).rejects.toThrow('job failed')
      expect(await b.runExclusive(name, ttlMs, async () => {})).toBe(true)
    })
  })
}
