/** FlushClock: one timer for all the symbol actors of a hub, and the flush windows on one grid — flushes due at the same boundary run in one event-loop turn. */
import type { Clock, TimerHandle } from '../ports/clock'

/** What the clock wakes: a symbol actor (it puts a flush in its own mailbox). */
export interface FlushTarget {
  flushDue(): void
}

/**
 * The end of the window `at` lies in, on a grid every `windowMs` from the epoch (not from each
 * symbol's last flush): every symbol's window ends at the same instants, so flushes that are due
 * together run together. 0 = no window (`at` itself).
 */
export function windowEnd(at: number, windowMs: number): number {
  return windowMs > 0 ? (Math.floor(at / windowMs) + 1) * windowMs : at
}

/**
 * Wakes each target at (or, with timer lateness, after) the moment it asked for, with one clock
 * timer for all of them: the earliest request. Targets due at the same moment are woken in the
 * same turn, so the messages their flushes publish to a subscriber of many symbols leave in one
 * socket write (uWS writes a turn's publishes to a socket together) instead of one write per
 * symbol. A target has at most one request; a new one replaces it.
 */
export class FlushClock {
  private readonly due = new Map<FlushTarget, number>()
  private timer: TimerHandle | null = null
  private timerAt = Infinity

  constructor(private readonly clock: Clock) {}

  /** Wakes `target` at `at` (replaces its earlier request). */
  schedule(target: FlushTarget, at: number): void {
    this.due.set(target, at)
    if (at < this.timerAt) this.arm(at)
  }

  /** Forgets `target`'s request; the timer goes with the last request (a stopped hub leaves none behind). */
  cancel(target: FlushTarget): void {
    this.due.delete(target)
    if (this.due.size > 0 || this.timer === null) return
    this.clock.clearTimeout(this.timer)
    this.timer = null
    this.timerAt = Infinity
  }

  /** Targets waiting. */
  get size(): number {
    return this.due.size
  }

  private arm(at: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timerAt = at
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, at - this.clock.now()))
  }

  private fire(): void {
    this.timer = null
    this.timerAt = Infinity
    const now = this.clock.now()
    const ready: FlushTarget[] = []
    let next = Infinity
    for (const [target, at] of this.due)
      if (at <= now) ready.push(target)
      else if (at < next) next = at
    for (const target of ready) this.due.delete(target)
    if (next !== Infinity) this.arm(next)
    for (const target of ready) target.flushDue()
  }
}
