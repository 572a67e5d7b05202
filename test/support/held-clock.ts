/** The system clock with `now` held still (and moved by hand), its timers real: a test never straddles a fixed window by chance. */
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import type { Clock } from '../../src/ports/clock'

export function heldClock(start = Date.now()): Clock & { at: number } {
  const system = createSystemClock()
  const clock = { at: start, now: () => clock.at, setTimeout: system.setTimeout, clearTimeout: system.clearTimeout }
  return clock
}
