/** A real-time clock that starts at a chosen instant and can jump forward at once (days, say), its timers running in real time. */
import type { Clock } from '../../src/ports/clock'

export function jumpingClock(startAt: number): Clock & { jumpTo(at: number): void } {
  let offset = startAt - Date.now()
  return {
    now: () => Date.now() + offset,
    setTimeout: (fn, ms) => ({ id: setTimeout(fn, ms) as unknown as number }),
    clearTimeout: (handle) => clearTimeout(handle.id as unknown as ReturnType<typeof setTimeout>),
    jumpTo(at) {
      offset = at - Date.now()
    },
  }
}
