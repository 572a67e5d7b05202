/** DeliveryCanary: the bookkeeping of a bus that proves it delivers — numbered probes sent to itself, their round trips, misses and the stalled verdict. */

/** Counters since the canary was built, for metrics. */
export interface CanaryStats {
  /** Probes handed to the transport. */
  sent: number
  /** Probes that came back within the bound. */
  returned: number
  /** Probes that did not come back within the bound (or were overtaken by a later one). */
  missed: number
  /** Round trip of the last probe that came back, in ms; null before the first. */
  lastRoundTripMs: number | null
}

/** Where delivery stands: proven since the last reset, not yet proven, or stalled (a probe outlived the bound). */
export type CanaryVerdict = 'proven' | 'unproven' | 'stalled'

/**
 * Pure state of a delivery canary; the caller owns the transport and the timer and passes the
 * time in. Probes are numbered; one that comes back settles every older one still pending as
 * missed (a transport that delivers in order per publisher has lost them). A probe pending for
 * longer than `timeoutMs` is missed and makes the verdict 'stalled' until a probe comes back.
 * `reset()` (a new connection) forgets what was pending: the verdict is 'unproven' until the
 * first probe on the new connection returns.
 */
export class DeliveryCanary {
  private readonly pending = new Map<number, number>()
  private nextSeq = 1
  private verdictNow: CanaryVerdict = 'unproven'
  private readonly counters: CanaryStats = { sent: 0, returned: 0, missed: 0, lastRoundTripMs: null }

  constructor(
    /** A probe not back within this many ms is missed and delivery is stalled. */
    readonly timeoutMs: number,
    /** Probes kept pending at most (older ones count as missed). @default 64 */
    private readonly maxPending = 64,
  ) {}

  get verdict(): CanaryVerdict {
    return this.verdictNow
  }

  /** Numbers a new probe sent at `now`; the caller publishes the number. */
  send(now: number): number {
    const seq = this.nextSeq++
    this.pending.set(seq, now)
    this.counters.sent++
    if (this.pending.size > this.maxPending) {
      const oldest = this.pending.keys().next().value as number
      this.pending.delete(oldest)
      this.counters.missed++
    }
    return seq
  }

  /** A probe came back at `now`; returns true when it was one still pending (late or unknown ones are ignored). */
  receive(seq: number, now: number): boolean {
    const sentAt = this.pending.get(seq)
    if (sentAt === undefined) return false
    for (const [pendingSeq] of this.pending) {
      if (pendingSeq >= seq) break
      this.pending.delete(pendingSeq)
      this.counters.missed++
    }
    this.pending.delete(seq)
    this.counters.returned++
    this.counters.lastRoundTripMs = Math.max(0, now - sentAt)
    this.verdictNow = 'proven'
    return true
  }

  /** Settles probes pending longer than the bound as missed; returns true when that made the verdict 'stalled'. */
  expire(now: number): boolean {
    let missed = false
    for (const [seq, sentAt] of this.pending) {
      if (now - sentAt < this.timeoutMs) break
      this.pending.delete(seq)
      this.counters.missed++
      missed = true
    }
    if (!missed || this.verdictNow === 'stalled') return false
    this.verdictNow = 'stalled'
    return true
  }

  /** A new connection: forget pending probes (not counted as missed); delivery is unproven again. */
  reset(): void {
    this.pending.clear()
    this.verdictNow = 'unproven'
  }

  /** How long the oldest pending probe has waited at `now` (0 when none). */
  oldestWaitMs(now: number): number {
    const first = this.pending.values().next()
    return first.done ? 0 : now - first.value
  }

  stats(): CanaryStats {
    return { ...this.counters }
  }
}
