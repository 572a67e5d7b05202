/** Clock port: time and timers as a dependency, so actors and rate limits are testable without sleeping. */
import type { Clock, TimerHandle } from '../core/clock'

export type { Clock, TimerHandle } from '../core/clock'

let nextId = 1

/** The real clock: Date.now and the runtime's timers. */
export function createSystemClock(): Clock {
  const timers = new Map<number, ReturnType<typeof setTimeout>>()
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = nextId++
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id)
          fn()
        }, ms),
      )
      return { id }
    },
    clearTimeout(handle) {
      const t = timers.get(handle.id)
      if (t !== undefined) clearTimeout(t)
      timers.delete(handle.id)
    },
  }
}

/** A clock that only moves when told to; timers fire in deadline order during advance(). */
export class SimulatedClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>()
  constructor(private current = 0) {}
  now(): number {
    return this.current
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++
    this.timers.set(id, { at: this.current + Math.max(0, ms), fn })
    return { id }
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id)
  }
  /** Move time forward by ms, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.current + ms
    for (;;) {
      let nextIdDue = -1
      let nextAt = Infinity
      for (const [id, t] of this.timers) if (t.at <= target && t.at < nextAt) (nextAt = t.at), (nextIdDue = id)
      if (nextIdDue < 0) break
      const timer = this.timers.get(nextIdDue)!
      this.timers.delete(nextIdDue)
      this.current = timer.at
      timer.fn()
    }
    this.current = target
  }
}
