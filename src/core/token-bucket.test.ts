import { describe, expect, it } from 'bun:test'
import { createBucket, refill, take } from './token-bucket'

describe('token bucket', () => {
  it('should allow a burst of capacity, then refuse with the wait until the next token', () => {
    let b = createBucket(3, 2, 0)
    for (let i = 0; i < 3; i++) {
      const r = take(b, 0)
      expect(r.ok).toBe(true)
      b = r.bucket
    }
    const refused = take(b, 0)
    expect(refused.ok).toBe(false)
    expect(refused.retryAfterMs).toBe(500)
    expect(take(b, 499).ok).toBe(false)
    expect(take(b, 500).ok).toBe(true)
  })

  it('should refill over time but never beyond capacity', () => {
    const b = take(createBucket(5, 1, 0), 0, 5).bucket
    expect(refill(b, 2500).tokens).toBeCloseTo(2.5)
    expect(refill(b, 60_000).tokens).toBe(5)
  })

  it('should not change state when time goes backwards', () => {
    const b = createBucket(1, 1, 1000)
    expect(refill(b, 10)).toBe(b)
  })
})
