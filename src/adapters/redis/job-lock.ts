/** JobLock over Redis: SET NX PX with a random owner, released only by its owner; Redis down means the job is skipped. */
import type { RedisClient } from './connect'
import type { JobLock } from '../../ports/job-lock'

const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`

export function createRedisJobLock(redis: RedisClient, prefix: string): JobLock {
  return {
    async runExclusive(name, ttlMs, fn) {
      const key = `${prefix}:job:${name}`
      const owner = crypto.randomUUID()
      let got: string | null = null
      try {
        got = await redis.set(key, owner, 'PX', ttlMs, 'NX')
      } catch {
        return false
      }
      if (got !== 'OK') return false
      try {
        await fn()
      } finally {
        await redis.eval(releaseScript, 1, key, owner).catch(() => {})
      }
      return true
    },
  }
}
