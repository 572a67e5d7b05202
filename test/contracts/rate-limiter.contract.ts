/** The RateLimiter contract: one suite every adapter must pass (two instances of one deployment standing in for two replicas). */
import { afterEach, describe, expect, it } from 'bun:test'
import { windowOf } from '../../src/core/rate-window'
import type { RateLimiter, RatePolicy } from '../../src/ports/rate-limiter'

/** Two instances of one deployment (two replicas; one process may hand back the same object twice). */
export interface RateLimiterPair {
  a: RateLimiter
  b: RateLimiter
  close(): Promise<void>
}

const policy: RatePolicy = { name: 'rest', limit: 3, windowMs: 60_000 }
const t0 = 1_700_000_000_000

export function rateLimiterContract(name: string, makePair: () => Promise<RateLimiterPair>) {
  describe(`RateLimiter contract: ${name}`, () => {
    let pair: RateLimiterPair | null = null
    const open = async () => (pair = await makePair())
    afterEach(async () => {
      await pair?.close()
      pair = null
    })
    /** A key no other test (or run) has counted. */
    const freshKey = () => `k${crypto.randomUUID().slice(0, 8)}`

    it('should allow `limit` requests per window, counting remaining down, then refuse until the window ends', async () => {
      const { a } = await open()
      const key = freshKey()
      const end = windowOf(key, policy, t0).endsAt
      const verdicts = []
      for (let i = 0; i < 5; i++) verdicts.push(await a.take(key, policy, t0))
      expect(verdicts.map((v) => [v.allowed, v.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
        [false, 0],
      ])
      for (const v of verdicts) expect(v).toMatchObject({ limit: 3, resetMs: end - t0 })
      expect(await a.take(key, policy, end - 1)).toMatchObject({ allowed: false, resetMs: 1 })
      expect(await a.take(key, policy, end)).toEqual({ allowed: true, limit: 3, remaining: 2, resetMs: 60_000 })
    })

    it('should keep keys and policies apart', async () => {
      const { a } = await open()
      const [one, two] = [freshKey(), freshKey()]
      for (let i = 0; i < 3; i++) await a.take(one, policy, t0)
      expect((await a.take(one, policy, t0)).allowed).toBe(false)
      expect(await a.take(two, policy, t0)).toMatchObject({ allowed: true, remaining: 2 })
      const market: RatePolicy = { name: 'market', limit: 1, windowMs: 10_000 }
      expect(await a.take(one, market, t0)).toMatchObject({ allowed: true, remaining: 0, limit: 1 })
      expect(await a.take(one, market, t0)).toMatchObject({ allowed: false, limit: 1 })
    })

    it('should share one budget between the instances', async () => {
      const { a, b } = await open()
      const key = freshKey()
      expect((await a.take(key, policy, t0)).remaining).toBe(2)
      expect((await b.take(key, policy, t0)).remaining).toBe(1)
      expect((await a.take(key, policy, t0)).remaining).toBe(0)
      expect((await b.take(key, policy, t0)).allowed).toBe(false)
      expect((await a.take(key, policy, t0)).allowed).toBe(false)
    })

    it('should count concurrent requests from both instances exactly, never more or fewer', async () => {
      const { a, b } = await open()
      const key = freshKey()
      const big: RatePolicy = { name: 'rest', limit: 25, windowMs: 60_000 }
      const verdicts = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? b : a).take(key, big, t0 + i)))
      expect(verdicts.filter((v) => v.allowed).length).toBe(25)
      const remaining = verdicts.filter((v) => v.allowed).map((v) => v.remaining)
      expect(remaining.sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i))
      expect(await a.take(key, big, t0 + 100)).toMatchObject({ allowed: false, remaining: 0 })
    })
  })
}
