/** Sliding-window REST request budget (e.g. Massive's free plan: 5 calls per minute) with a share reserved for interactive calls, driven by a Clock. */

import type { Clock } from '../../ports/clock.ts'
import type { RequestPriority } from '../../ports/upstream.ts'

export interface RequestBudgetOptions {
  /** Calls allowed in any window; null = unlimited. */
  limit: number | null
  /** @default 60_000 */
  windowMs?: number
  /** Calls of each window only `interactive` requests may take; options and background stop short of them. @default 0 */
  reservedInteractive?: number
  clock: Clock
}

/**
 * The interactive reserve of a budget of `limit` calls: `percent` of it rounded up, at least 1 when
 * the budget has more than one call and percent > 0, and never all of it (5 at 40 % → 2).
 */
export function interactiveReserve(limit: number | null, percent: number): number {
  if (limit === null || limit <= 1 || !(percent > 0)) return 0
  return Math.min(limit - 1, Math.max(1, Math.ceil((limit * percent) / 100)))
}

export interface BudgetState {
  limitPerMinute: number | null
  remaining: number | null
  /** When the next used slot frees up (Unix ms); null when none is used (or only in flight) or the budget is unlimited. */
  resetsAt: number | null
  /** Calls only interactive requests may spend (absent when unlimited). */
  reservedInteractive?: number
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
  private readonly reserved: number
  /** Per taken slot: Infinity while the call is in flight, then the time it finished. */
  private readonly slots: number[] = []

  constructor(private readonly opts: RequestBudgetOptions) {
    if (opts.limit !== null && (!Number.isInteger(opts.limit) || opts.limit < 1)) {
      throw new RangeError(`request budget limit must be a positive integer or null, got ${opts.limit}`)
    }
    this.windowMs = opts.windowMs ?? 60_000
    const reserved = opts.reservedInteractive ?? 0
    if (!Number.isInteger(reserved) || reserved < 0 || (opts.limit !== null && reserved >= opts.limit)) {
      throw new RangeError(`reservedInteractive must be an integer from 0 to limit - 1, got ${reserved}`)
    }
    this.reserved = opts.limit === null ? 0 : reserved
  }

  /**
   * Takes a slot now, or returns how long (ms) until one this priority may take frees up (Infinity
   * while the slots that must free up are in flight). Only interactive calls take reserved slots.
   */
  tryAcquire(priority: RequestPriority = 'interactive'): BudgetSlot | { waitMs: number } {
    if (this.opts.limit === null) return unlimitedSlot
    this.prune()
    const cap = priority === 'interactive' ? this.opts.limit : this.opts.limit - this.reserved
    if (this.slots.length < cap) {
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
    // The slot whose freeing brings the count under the cap: the (length - cap + 1)-th to finish.
    const freesAt = [...this.slots].sort((a, b) => a - b)[this.slots.length - cap]!
    return { waitMs: freesAt === Infinity ? Infinity : Math.max(0, freesAt + this.windowMs - this.opts.clock.now()) }
  }

  state(): BudgetState {
    if (this.opts.limit === null) return { limitPerMinute: null, remaining: null, resetsAt: null }
    this.prune()
    const remaining = this.opts.limit - this.slots.length
    const finished = this.slots.filter((s) => s !== Infinity)
    const resetsAt = finished.length === 0 ? null : Math.min(...finished) + this.windowMs
    return { limitPerMinute: this.opts.limit, remaining, resetsAt, reservedInteractive: this.reserved }
  }

  private prune(): void {
    const cutoff = this.opts.clock.now() - this.windowMs
    for (let i = this.slots.length - 1; i >= 0; i--) if (this.slots[i]! <= cutoff) this.slots.splice(i, 1)
  }
}
