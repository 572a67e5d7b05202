import { describe, expect, it } from 'bun:test'
import { backoff } from './backoff'

describe('backoff', () => {
  const policy = { baseMs: 500, maxMs: 30_000, minMs: 100 }

  it('should draw uniformly between the floor and a doubling ceiling', () => {
    expect(backoff(0, () => 0, policy)).toBe(100)
    expect(backoff(0, () => 0.999999, policy)).toBe(500)
    expect(backoff(1, () => 0.999999, policy)).toBe(1000)
    expect(backoff(3, () => 0.5, policy)).toBe(Math.round(100 + 0.5 * 3900))
  })

  it('should cap the ceiling at maxMs, however many attempts', () => {
    expect(backoff(6, () => 0.999999, policy)).toBe(30_000)
    expect(backoff(1000, () => 0.999999, policy)).toBe(30_000)
  })

  it('should draw in the upper half of the ceiling with equal jitter', () => {
    const equal = { baseMs: 250, maxMs: 8_000, minMs: 0, jitter: 'equal' as const }
    expect(backoff(0, () => 0, equal)).toBe(125)
    expect(backoff(0, () => 0.999999, equal)).toBe(250)
    expect(backoff(2, () => 0.5, equal)).toBe(750)
    expect(backoff(10, () => 0, equal)).toBe(4_000)
    expect(backoff(10, () => 0.999999, equal)).toBe(8_000)
  })

  it('should stay within bounds for a misbehaving random source', () => {
    expect(backoff(2, () => -5, policy)).toBe(100)
    expect(backoff(2, () => 7, policy)).toBe(2000)
    expect(backoff(-3, () => 1, policy)).toBe(500)
  })
})
