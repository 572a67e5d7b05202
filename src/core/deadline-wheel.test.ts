import { beforeEach, describe, expect, it } from 'bun:test'
import { DeadlineWheel, unfiled, type WheelLinks } from './deadline-wheel'

type Item = WheelLinks & { name: string | number }
const items = new Map<string | number, Item>()
/** The item named `name` (one per name, as a connection is one object). */
const it_ = (name: string | number): Item => {
  let item = items.get(name)
  if (item === undefined) items.set(name, (item = { name, ...unfiled() }))
  return item
}
const names = (taken: Item[]) => taken.map((i) => i.name)

describe('deadline wheel', () => {
  beforeEach(() => items.clear())

  it('should take an item at the first tick at or after its deadline, never before', () => {
    const w = new DeadlineWheel<Item>(250, 1000)
    w.schedule(it_('a'), 1100)
    w.schedule(it_('b'), 1250)
    w.schedule(it_('c'), 1251)
    expect(names(w.takeDue(1249))).toEqual([])
    expect(names(w.takeDue(1250))).toEqual(['a', 'b'])
    expect(names(w.takeDue(1499))).toEqual([])
    expect(names(w.takeDue(1500))).toEqual(['c'])
    expect(w.size).toBe(0)
  })

  it('should visit only what is due: far deadlines stay filed', () => {
    const w = new DeadlineWheel<Item>(250, 0)
    for (let i = 0; i < 10_000; i++) w.schedule(it_(i), 20_000 + (i % 40) * 250)
    w.schedule(it_(-1), 500)
    expect(names(w.takeDue(19_999))).toEqual([-1])
    expect(w.takeDue(20_000)).toHaveLength(250)
    expect(w.size).toBe(9_750)
  })

  it('should move a rescheduled item and forget a cancelled one', () => {
    const w = new DeadlineWheel<Item>(100, 0)
    w.schedule(it_('a'), 1000)
    w.schedule(it_('b'), 1000)
    w.schedule(it_('a'), 300)
    w.cancel(it_('b'))
    expect(w.deadlineOf(it_('a'))).toBe(300)
    expect(w.deadlineOf(it_('b'))).toBeUndefined()
    expect(names(w.takeDue(300))).toEqual(['a'])
    expect(names(w.takeDue(5000))).toEqual([])
  })

  it('should file a deadline already past at the next tick', () => {
    const w = new DeadlineWheel<Item>(100, 0)
    expect(names(w.takeDue(1000))).toEqual([])
    w.schedule(it_('late'), 200)
    expect(names(w.takeDue(1000))).toEqual([])
    expect(names(w.takeDue(1100))).toEqual(['late'])
  })

  it('should catch up after a long stall in deadline order without walking every tick', () => {
    const w = new DeadlineWheel<Item>(1, 0)
    w.schedule(it_('day'), 86_400_000)
    w.schedule(it_('hour'), 3_600_000)
    w.schedule(it_('later'), 10 * 86_400_000)
    const t0 = performance.now()
    expect(names(w.takeDue(2 * 86_400_000))).toEqual(['hour', 'day'])
    expect(performance.now() - t0).toBeLessThan(1000) // walking 172.8 million 1 ms ticks would take many seconds
    expect(w.size).toBe(1)
  })

  it('should keep filing order through removals from the head, the middle and the tail of a slot', () => {
    const w = new DeadlineWheel<Item>(100, 0)
    for (const name of ['a', 'b', 'c', 'd', 'e']) w.schedule(it_(name), 500)
    w.cancel(it_('a'))
    w.cancel(it_('c'))
    w.cancel(it_('e'))
    w.schedule(it_('f'), 500)
    w.schedule(it_('b'), 900)
    expect({ size: w.size, deadline: w.deadlineOf(it_('c')) }).toEqual({ size: 3, deadline: undefined })
    expect(names(w.takeDue(500))).toEqual(['d', 'f'])
    w.schedule(it_('a'), 700)
    expect(names(w.takeDue(1000))).toEqual(['a', 'b'])
    expect(w.size).toBe(0)
    expect(it_('b').wheelNext).toBeNull()
  })
})
