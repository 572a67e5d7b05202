/** Sliding-window REST request budget (e.g. Massive's free plan: 5 calls per minute), driven by a Clock. */

import type { Clock } from '../../ports/clock.ts'

export interface RequestBudgetOptions {
  /** Calls allowed in any window; null = unlimited. */
  limit: number | null
  /** @default 60_000 */
  windowMs?: number
  clock: Clock
}

export interface BudgetState {
  limitPerMinute: number | null
  remaining: number | null
  /** When the next used slot frees up (Unix ms); null when none is used (or only in flight) or the budget is unlimited. */
  resetsAt: number | null
}

/** A slot handed out by tryAcquire; release() marks when the call finished. */
export interface BudgetSlot {
  release(): void
}

const unlimitedSlot: BudgetSlot = { release() {} }

/**
 * Sliding log of call times: at most `limit` calls in any `windowMs`, so no fixed window the
 * provider may use (its choice is unconfirmed) can see more. A slot stays taken from the moment
 * the call starts until `windowMs` after it finished, because the provider counts the call on
 * arrival, which we only know to lie between those two instants.
 */
export class RequestBudget {
  private readonly windowMs: number
  /** Per taken slot: Infinity while the call is in flight, then the time it finished. */
  private readonly slots: number[] = []

  constructor(private readonly opts: RequestBudgetOptions) {
    if (opts.limit !== null && (!Number.isInteger(opts.limit) || opts.limit < 1)) {
      throw new RangeError(`request budget limit must be a positive integer or null, got ${opts.limit}`)
    }
    this.windowMs = opts.windowMs ?? 60_000
  }

  /** Takes a slot now, or returns how long (ms) until one frees up (Infinity while all are in flight). */
  tryAcquire(): BudgetSlot | { waitMs: number } {
    if (this.opts.limit === null) return unlimitedSlot
    this.prune()
    if (this.slots.length < this.opts.limit) {
      this.slots.push(Infinity)
      let released = false
      return {
        release: () => {
          if (released) return
          released = true
          // In-flight slots are interchangeable, so finishing any one of them is equivalent.
          const i = this.slots.indexOf(Infinity)
          if (i >= 0) this.slots[i] = this.opts.clock.now()
        },
      }
    }
    const oldest = Math.min(...this.slots)
    return { waitMs: oldest === Infinity ? Infinity : Math.max(0, oldest + this.windowMs - this.opts.clock.now()) }
  }

  state(): BudgetState {
    if (this.opts.limit === null) return { limitPerMinute: null, remaining: null, resetsAt: null }
    this.prune()
    const remaining = this.opts.limit - this.slots.length
    const finished = this.slots.filter((s) => s !== Infinity)
    const resetsAt = finished.length === 0 ? null : Math.min(...finished) + this.windowMs
    return { limitPerMinute: this.opts.limit, remaining, resetsAt }
  }

  private prune(): void {
    const cutoff = this.opts.clock.now() - this.windowMs
    for (let i = this.slots.length - 1; i >= 0; i--) if (this.slots[i]! <= cutoff) this.slots.splice(i, 1)
  }
}
