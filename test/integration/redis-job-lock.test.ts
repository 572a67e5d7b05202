/** The Redis JobLock against the JobLock contract (two replicas on a real Redis), plus the ttl that frees the name of a holder that died. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { createRedisJobLock } from '../../src/adapters/redis/job-lock'
import { jobLockContract } from '../contracts/job-lock.contract'
import { connectRedis, requireSharedRedis, uniquePrefix, waitFor } from '../support/redis-harness'

let admin: Redis
beforeAll(async () => {
  await requireSharedRedis()
  admin = connectRedis()
})
afterAll(() => admin?.disconnect())

jobLockContract('RedisJobLock', async () => {
  const prefix = uniquePrefix('jobs')
  const clients = [connectRedis(), connectRedis()]
  const [a, b] = clients.map((redis) => createRedisJobLock(redis, prefix))
  return { a: a!, b: b!, close: async () => clients.forEach((c) => c.disconnect()) }
})

describe('RedisJobLock', () => {
  it('should free the name of a holder that died once its ttl passes', async () => {
    const prefix = uniquePrefix('jobs')
    const redis = connectRedis()
    try {
      const lock = createRedisJobLock(redis, prefix)
      // A holder that died mid-job: its key stays until the ttl it set runs out (Redis's clock).
      await admin.set(`${prefix}:job:prefetch`, 'a-dead-owner', 'PX', 300)
      let ran = false
      expect(await lock.runExclusive('prefetch', 60_000, async () => void (ran = true))).toBe(false)
      expect(ran).toBe(false)
      await waitFor(() => lock.runExclusive('prefetch', 60_000, async () => void (ran = true)), 5000, 'the dead holder’s ttl to pass')
      expect(ran).toBe(true)
      expect(await admin.get(`${prefix}:job:prefetch`)).toBeNull() // released by its owner after the run
    } finally {
      redis.disconnect()
    }
  })

  it('should skip the job, not throw, when Redis is unreachable', async () => {
    const redis = connectRedis('redis://127.0.0.1:1')
    try {
      let ran = false
      expect(await createRedisJobLock(redis, uniquePrefix('jobs')).runExclusive('prefetch', 1000, async () => void (ran = true))).toBe(false)
      expect(ran).toBe(false)
    } finally {
      redis.disconnect()
    }
  })
})
