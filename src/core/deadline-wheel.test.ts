import { describe, expect, it } from 'bun:test'
import { DeadlineWheel } from './deadline-wheel'

describe('deadline wheel', () => {
  it('should take an item at the first tick at or after its deadline, never before', () => {
    const w = new DeadlineWheel<string>(250, 1000)
    w.schedule('a', 1100)
    w.schedule('b', 1250)
    w.schedule('c', 1251)
    expect(w.takeDue(1249)).toEqual([])
    expect(w.takeDue(1250)).toEqual(['a', 'b'])
    expect(w.takeDue(1499)).toEqual([])
    expect(w.takeDue(1500)).toEqual(['c'])
    expect(w.size).toBe(0)
  })

  it('should visit only what is due: far deadlines stay filed', () => {
    const w = new DeadlineWheel<number>(250, 0)
    for (let i = 0; i < 10_000; i++) w.schedule(i, 20_000 + (i % 40) * 250)
    w.schedule(-1, 500)
    expect(w.takeDue(19_999)).toEqual([-1])
    expect(w.takeDue(20_000)).toHaveLength(250)
    expect(w.size).toBe(9_750)
  })

  it('should move a rescheduled item and forget a cancelled one', () => {
    const w = new DeadlineWheel<string>(100, 0)
    w.schedule('a', 1000)
    w.schedule('b', 1000)
    w.schedule('a', 300)
    w.cancel('b')
    expect(w.deadlineOf('a')).toBe(300)
    expect(w.deadlineOf('b')).toBeUndefined()
    expect(w.takeDue(300)).toEqual(['a'])
    expect(w.takeDue(5000)).toEqual([])
  })

  it('should file a deadline already past at the next tick', () => {
    const w = new DeadlineWheel<string>(100, 0)
    expect(w.takeDue(1000)).toEqual([])
    w.schedule('late', 200)
    expect(w.takeDue(1000)).toEqual([])
    expect(w.takeDue(1100)).toEqual(['late'])
  })

  it('should catch up after a long stall in deadline order without walking every tick', () => {
    const w = new DeadlineWheel<string>(1, 0)
    w.schedule('day', 86_400_000)
    w.schedule('hour', 3_600_000)
    w.schedule('later', 10 * 86_400_000)
    const t0 = performance.now()
    expect(w.takeDue(2 * 86_400_000)).toEqual(['hour', 'day'])
    expect(performance.now() - t0).toBeLessThan(1000) // walking 172.8 million 1 ms ticks would take many seconds
    expect(w.size).toBe(1)
  })
})
