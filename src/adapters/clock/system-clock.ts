/** The real clock: Date.now and the runtime's timers, behind the Clock port. */
import type { Clock } from '../../ports/clock'

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
