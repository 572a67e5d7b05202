/** FlushClock on a simulated clock: one timer for many targets, targets due together woken together, replaced and cancelled requests, the window grid. */
import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { FlushClock, windowEnd, type FlushTarget } from './flush-clock'

function setup() {
  const clock = new SimulatedClock(1_000_000)
  let timers = 0
  /** Timers set and neither fired nor cleared. */
  let live = 0
  const counted = {
    now: () => clock.now(),
    setTimeout: (fn: () => void, ms: number) => (timers++, live++, clock.setTimeout(() => (live--, fn()), ms)),
    clearTimeout: (h: Parameters<typeof clock.clearTimeout>[0]) => (live--, clock.clearTimeout(h)),
  }
  const woken: string[] = []
  const target = (name: string): FlushTarget => ({ flushDue: () => void woken.push(`${name}@${clock.now()}`) })
  return { clock, flushClock: new FlushClock(counted), woken, target, timers: () => timers, live: () => live }
}

describe('windowEnd', () => {
  it('ends windows on one grid from the epoch, whatever the last flush', () => {
    expect(windowEnd(1_000_000, 100)).toBe(1_000_100)
    expect(windowEnd(1_000_099, 100)).toBe(1_000_100)
    expect(windowEnd(1_000_100, 100)).toBe(1_000_200)
    expect(windowEnd(1_000_042, 0)).toBe(1_000_042)
  })
})

describe('FlushClock', () => {
  it('wakes every target due at the same moment in one timer callback, each once', () => {
    const { clock, flushClock, woken, target, timers } = setup()
    for (const name of ['a', 'b', 'c']) flushClock.schedule(target(name), 1_000_100)
    expect(timers()).toBe(1)
    clock.advance(99)
    expect(woken).toEqual([])
    clock.advance(1)
    expect(woken).toEqual(['a@1000100', 'b@1000100', 'c@1000100'])
    clock.advance(1_000)
    expect(woken).toHaveLength(3)
    expect(flushClock.size).toBe(0)
  })

  it('moves its one timer to an earlier request and keeps the later ones for after', () => {
    const { clock, flushClock, woken, target } = setup()
    const a = target('a')
    flushClock.schedule(a, 1_000_300)
    flushClock.schedule(target('b'), 1_000_100)
    flushClock.schedule(target('c'), 1_000_200)
    clock.advance(300)
    expect(woken).toEqual(['b@1000100', 'c@1000200', 'a@1000300'])
  })

  it('clears its timer when the last request is cancelled (a stopped hub leaves no timer behind)', () => {
    const { clock, flushClock, woken, target, live } = setup()
    const a = target('a')
    const b = target('b')
    flushClock.schedule(a, 1_000_100)
    flushClock.schedule(b, 1_000_200)
    flushClock.cancel(a)
    expect(live()).toBe(1)
    flushClock.cancel(b)
    expect(live()).toBe(0)
    flushClock.schedule(target('c'), 1_000_300)
    expect(live()).toBe(1)
    clock.advance(1_000)
    expect(woken).toEqual(['c@1000300'])
    expect(live()).toBe(0)
  })

  it('replaces a target request and forgets a cancelled one', () => {
    const { clock, flushClock, woken, target } = setup()
    const a = target('a')
    const b = target('b')
    flushClock.schedule(a, 1_000_100)
    flushClock.schedule(a, 1_000_200)
    flushClock.schedule(b, 1_000_100)
    flushClock.cancel(b)
    clock.advance(500)
    expect(woken).toEqual(['a@1000200'])
  })

  it('lets a woken target ask again from its wake-up', () => {
    const { clock, flushClock, woken } = setup()
    let rounds = 0
    const again: FlushTarget = {
      flushDue() {
        woken.push(`again@${clock.now()}`)
        if (++rounds < 3) flushClock.schedule(again, windowEnd(clock.now(), 100))
      },
    }
    flushClock.schedule(again, 1_000_100)
    clock.advance(1_000)
    expect(woken).toEqual(['again@1000100', 'again@1000200', 'again@1000300'])
  })
})
