/** A real-time clock that runs `scale` times faster from a chosen start, so a market minute passes in seconds of test time. */
import type { Clock, TimerHandle } from '../../src/ports/clock'

export function createScaledClock(scale: number, startAtMs: number): Clock {
  const realStart = Date.now()
  const timers = new Map<number, ReturnType<typeof setTimeout>>()
  let nextId = 1
  return {
    now: () => Math.floor(startAtMs + (Date.now() - realStart) * scale),
    setTimeout(fn, ms): TimerHandle {
      const id = nextId++
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id)
          fn()
        }, ms / scale),
      )
      return { id }
    },
    clearTimeout(handle) {
      clearTimeout(timers.get(handle.id))
      timers.delete(handle.id)
    },
  }
}
