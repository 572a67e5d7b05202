/** Fixed-window limits: window boundaries staggered per key, verdicts, the draft-07 RateLimit fields, and the bounded in-memory counter. */
import { describe, expect, it } from 'bun:test'
import { FixedWindowCounter, rateLimitFields, resetSeconds, verdictOf, windowOf, type RatePolicy } from './rate-window'

const policy: RatePolicy = { name: 'rest', limit: 3, windowMs: 60_000 }
const t0 = 1_700_000_000_000

describe('windowOf', () => {
  it('should give each key windows of windowMs that contain now', () => {
    for (const key of ['1', '2', 'user:42', '203.0.113.7']) {
      const w = windowOf(key, policy, t0)
      expect(w.endsAt).toBeGreaterThan(t0)
      expect(w.endsAt - t0).toBeLessThanOrEqual(60_000)
      expect(windowOf(key, policy, w.endsAt - 1).index).toBe(w.index)
      expect(windowOf(key, policy, w.endsAt)).toEqual({ index: w.index + 1, endsAt: w.endsAt + 60_000 })
    }
  })

  it('should stagger the window ends of different keys', () => {
    const ends = new Set(Array.from({ length: 20 }, (_, i) => windowOf(String(i), policy, t0).endsAt))
    expect(ends.size).toBeGreaterThan(15)
  })
})

describe('verdictOf and the RateLimit fields', () => {
  it('should allow up to the limit and count remaining down to 0', () => {
    expect(verdictOf(1, policy, t0, t0 + 23_000)).toEqual({ allowed: true, limit: 3, remaining: 2, resetMs: 23_000 })
    expect(verdictOf(3, policy, t0, t0 + 23_000)).toMatchObject({ allowed: true, remaining: 0 })
    expect(verdictOf(4, policy, t0, t0 + 23_000)).toMatchObject({ allowed: false, remaining: 0 })
  })

  it('should format RateLimit-Policy and RateLimit as draft-07 does, reset rounded up to whole seconds', () => {
    const p: RatePolicy = { name: 'market', limit: 120, windowMs: 60_000 }
    expect(rateLimitFields(p, verdictOf(63, p, t0, t0 + 22_001))).toEqual({
      policy: '120;w=60',
      state: 'limit=120, remaining=57, reset=23',
    })
    expect(resetSeconds(verdictOf(1, p, t0, t0 + 1))).toBe(1)
  })
})

describe('FixedWindowCounter', () => {
  it('should count per key and policy and start again in the next window', () => {
    const counter = new FixedWindowCounter()
    const end = windowOf('7', policy, t0).endsAt
    const verdicts = [0, 1, 2, 3].map(() => counter.take('7', policy, t0))
    expect(verdicts.map((v) => [v.allowed, v.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ])
    expect(verdicts[3].resetMs).toBe(end - t0)
    expect(counter.take('8', policy, t0).remaining).toBe(2)
    expect(counter.take('7', { ...policy, name: 'market' }, t0).remaining).toBe(2)
    expect(counter.take('7', policy, end - 1).allowed).toBe(false)
    expect(counter.take('7', policy, end)).toEqual({ allowed: true, limit: 3, remaining: 2, resetMs: 60_000 })
  })

  it('should bound its memory: ended windows go first, then the oldest keys', () => {
    const counter = new FixedWindowCounter(100)
    for (let i = 0; i < 100; i++) counter.take(`old${i}`, policy, t0)
    for (let i = 0; i < 50; i++) counter.take(`new${i}`, policy, t0 + 120_000)
    expect(counter.size).toBeLessThanOrEqual(100)
    for (let i = 0; i < 500; i++) counter.take(`flood${i}`, policy, t0 + 120_000)
    expect(counter.size).toBeLessThanOrEqual(100)
    expect(counter.take('flood499', policy, t0 + 120_000).remaining).toBe(1)
  })
})
