/** withDeadline on a simulated clock: settles with the work before the deadline, rejects with the caller's error after it. */
import { describe, expect, test } from 'bun:test'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { withDeadline } from './deadline'

describe('withDeadline', () => {
  test('should resolve with the work when it finishes in time', async () => {
    const clock = new SimulatedClock(0)
    const work = new Promise<number>((resolve) => clock.setTimeout(() => resolve(7), 900))
    const result = withDeadline(work, 1000, clock, () => new Error('late'))
    clock.advance(900)
    expect(await result).toBe(7)
  })

  test('should reject with the caller\'s error once the deadline passes, whatever the work does later', async () => {
    const clock = new SimulatedClock(0)
    const work = new Promise<number>((resolve) => clock.setTimeout(() => resolve(7), 5000))
    const result = withDeadline(work, 1000, clock, () => new Error('late'))
    clock.advance(1000)
    await expect(result).rejects.toThrow('late')
    clock.advance(5000)
  })

  test('should pass the work\'s own failure through', async () => {
    const clock = new SimulatedClock(0)
    await expect(withDeadline(Promise.reject(new Error('boom')), 1000, clock, () => new Error('late'))).rejects.toThrow('boom')
  })
})
