/** SimulatedClock: a Clock that only moves when told to, so tests drive timers instead of sleeping. */
import type { Clock, TimerHandle } from '../../ports/clock'

let nextId = 1

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
