/** A SimulatedClock that shows which of its timers are pending and reports every change, so a test can wait until the code under test waits on the clock. */
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import type { TimerHandle } from '../../src/ports/clock'
import { Changes } from './wait'

export class ObservedClock extends SimulatedClock {
  /** Reported on every timer set, cleared or fired. */
  readonly changes = new Changes()
  private readonly pendingDelays = new Map<number, number>()

  override setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = super.setTimeout(() => {
      this.pendingDelays.delete(handle.id)
      this.changes.changed()
      fn()
    }, ms)
    this.pendingDelays.set(handle.id, ms)
    this.changes.changed()
    return handle
  }

  override clearTimeout(handle: TimerHandle): void {
    super.clearTimeout(handle)
    if (this.pendingDelays.delete(handle.id)) this.changes.changed()
  }

  /** The delays (ms, as asked) of the timers not yet fired or cleared. */
  pending(): number[] {
    return [...this.pendingDelays.values()]
  }

  /** Resolves once `condition` holds, re-checked whenever a timer is set, cleared or fires. */
  until(condition: () => boolean, label: string, timeoutMs?: number): Promise<void> {
    return this.changes.until(condition, label, timeoutMs)
  }
}
