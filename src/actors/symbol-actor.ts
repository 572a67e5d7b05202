/** SymbolActor: one symbol's raw events in order → coalesced, seq-stamped messages, each serialised once and published once. */
import { backoff } from '../core/backoff'
import { applyMinuteBar, applySeed, applyTrade, createSymbolState, seedMissing, forgetDayFigures } from '../core/coalesce'
import { drain, hasPending, hasPendingDerived, liveBarOf, seedMinutePrefix, snapshotOf } from '../core/coalesce'
import type { RegularSessionOf, SymbolState } from '../core/coalesce'
import type { MarketMessageType } from '../contract/protocol'
import type { ResetReason } from '../contract/messages'
import type { Clock, TimerHandle } from '../ports/clock'
import type { ConditionTableSource } from '../ports/upstream-conditions'
import type { TradeHistory } from '../ports/upstream-trades'
import { applyQuote } from '../core/quote-state'
import { closeMinutes, createMinuteCloser, defaultCloseGraceMs, nextDecisionAt, noteTraded, startClosing, stopClosing } from '../core/minute-close'
import { Actor } from './actor'
import type { SnapshotSource, SymbolMessage } from './symbol-messages'
import { SymbolPublisher } from './symbol-publisher'
import { FlushClock, windowEnd, type FlushTarget } from './flush-clock'

export type { SnapshotSource, SymbolMessage } from './symbol-messages'

/**
 * Live bars and snapshots are derived state (the latest value replaces the previous one, and a
 * client that applies trades can compute both itself), so even at flush 0 — every trade and
 * closed bar as it comes — they go out at most once per this window by default: otherwise every
 * trade of a symbol trading a few times a second would travel with two messages the next trade
 * overwrites, tripling what every subscriber receives.
 */
export const derivedWindowMs = 1000

export interface SymbolActorOptions {
  symbol: string
  clock: Clock
  /** At most one message per kind per window; 0 = trades and closed bars after every event (derived state: see derivedMs). */
  flushMs: number
  /** Live bar and snapshot at most once per this window (at least flushMs). @default derivedWindowMs */
  derivedMs?: number
  source: 'simulated' | 'massive'
  /** Where a day's regular session lies: its last trade is the next day's previous close. @default the exchange calendar */
  regularSession?: RegularSessionOf
  /** The sale-condition rules trades are applied by (the provider's once read). @default the shipped table */
  conditions?: ConditionTableSource
  /** The provider's recent trades: the forming minute's trades from before the stream began seed the first live bar (seedMinutePrefix). @default none (the first live bar covers what was streamed) */
  tradeHistory?: TradeHistory
  /** Receives every message exactly once, already serialised. */
  publish: (symbol: string, payload: string, type: MarketMessageType) => void
  /** A fresh epoch string (unique per actor start and per continuity loss). */
  newEpoch: () => string
  seed?: SnapshotSource
  onFailure?: (error: unknown) => void
  /** @default Math.random (seed retry jitter) */
  random?: () => number
  /** How long after a minute's end a provider bar may still come before the minute is announced empty. @default defaultCloseGraceMs */
  minuteCloseGraceMs?: number
  /** The hub's flush clock, shared by its actors so flushes due together run in one turn. @default one of its own */
  flushClock?: FlushClock
}

/** The flush message: one shared object, a flush allocates nothing. */
const flushDueSignal: SymbolMessage = Object.freeze({ type: 'flushDue' })

export class SymbolActor extends Actor<SymbolMessage> implements FlushTarget {
  readonly symbol: string
  private readonly o: SymbolActorOptions
  private state: SymbolState
  /** Stamps, serialises, publishes and keeps the latest of each kind for replay. */
  private readonly out: SymbolPublisher
  private active = true
  private lastFlushAt = -Infinity
  private lastDerivedAt = -Infinity
  private readonly derivedMs: number
  /**
   * With trades flushed faster than derived state, a due live bar and snapshot wait up to this
   * long for the next trade to ride along with (one flush, one bus publish per event); only a
   * symbol that went quiet sends them on their own.
   */
  private readonly derivedSlackMs: number
  private readonly flushClock: FlushClock
  /** When the flush clock wakes this actor; Infinity when it is not asked to. */
  private flushAt = Infinity
  private seedTimer: TimerHandle | null = null
  private seedAttempt = 0
  /** How many resets (splits) this actor made: a seed asked for under an earlier count carries the old scale's prices. */
  private resets = 0
  private readonly closer = createMinuteCloser()
  private closeTimer: TimerHandle | null = null

  constructor(options: SymbolActorOptions) {
    super({ maxQueue: 100_000, onFailure: options.onFailure })
    this.symbol = options.symbol
    this.o = options
    this.state = createSymbolState(options.regularSession)
    this.derivedMs = Math.max(options.flushMs, options.derivedMs ?? derivedWindowMs)
    this.derivedSlackMs = options.flushMs < this.derivedMs ? this.derivedMs : 0
    this.out = new SymbolPublisher(options)
    this.flushClock = options.flushClock ?? new FlushClock(options.clock)
  }

  /** The flush clock's wake-up: the flush goes through the mailbox like any message. */
  flushDue(): void {
    // Refused (stopped, or a full mailbox): the clock no longer holds a request, so neither may flushAt.
    if (!this.send(flushDueSignal)) this.flushAt = Infinity
  }

  get epoch(): string {
    return this.out.epoch
  }
  /** The seq of the last published message (0 before any). */
  get lastSeq(): number {
    return this.out.lastSeq
  }

  start(): void {
    if (this.status !== 'idle') return
    this.setStatus('running')
    startClosing(this.closer, this.o.clock.now())
    this.armClose()
    this.requestSeed()
    this.requestMinutePrefix()
  }

  stop(): void {
    this.clearTimers()
    this.setStatus('stopped')
  }

  protected handle(m: SymbolMessage): void {
    switch (m.type) {
      case 'tradesArrived':
        if (this.o.conditions) this.state.conditions = this.o.conditions.table
        for (const trade of m.trades) {
          applyTrade(this.state, trade)
          // Only a minute with a bar counts as traded: odd lots alone make none, and no final bar will come.
          noteTraded(this.closer, this.state.live !== null && this.state.live.c !== 0 ? this.state.live.t : null)
        }
        break
      case 'quotesArrived':
        for (const quote of m.quotes) applyQuote(this.state.quotes, quote)
        break
      case 'barsArrived':
        for (const bar of m.bars) applyMinuteBar(this.state, bar)
        break
      case 'prefixArrived':
        seedMinutePrefix(this.state, m.trades)
        break
      case 'seedArrived':
        // Asked for before a reset: the fresh seed the reset asked for is on its way.
        if (m.resets !== this.resets) return
        if (m.snapshot) applySeed(this.state, m.snapshot, m.asOf)
        else seedMissing(this.state)
        return this.afterEvent(true)
      case 'seedFailed':
        if (m.resets !== this.resets) return
        this.seedTimer = this.o.clock.setTimeout(
          () => this.requestSeed(),
          backoff(this.seedAttempt++, this.o.random ?? Math.random, { baseMs: 1000, maxMs: 60_000, minMs: 500 }),
        )
        return
      case 'flushDue':
        this.flushAt = Infinity
        break
      case 'closeDue':
        return this.announceEmptyMinutes()
      case 'feedInterrupted':
        // Minutes of a gap in the feed are neither empty nor whole; the day misses their trades.
        stopClosing(this.closer)
        if (this.closeTimer) this.o.clock.clearTimeout(this.closeTimer)
        this.closeTimer = null
        forgetDayFigures(this.state)
        return
      case 'continuityLost':
        startClosing(this.closer, this.o.clock.now())
        this.armClose()
        // The day's figures come back with a new seed (the provider's day counts what the gap missed).
        forgetDayFigures(this.state)
        this.requestSeed()
        this.out.newEpoch()
        this.state.live = null
        this.state.pendingSnapshot = snapshotOf(this.state) !== null
        return this.afterEvent(true)
      case 'replayRequested':
        if (this.active) this.out.replay()
        return
      case 'resetRequested':
        return this.reset(m.reason)
      case 'audienceChanged':
        this.active = m.active
        if (m.active) {
          this.state.pendingSnapshot = snapshotOf(this.state) !== null
          this.state.pendingLive = liveBarOf(this.state) !== null
        }
        return this.afterEvent(m.active)
    }
    this.afterEvent()
  }

  /**
   * Sends what is due: the trade window and closed bars once per flushMs (at once when 0), the
   * derived state once per derivedMs; what is not yet due waits for one timer. `catchUp` (a
   * seed, a new epoch, a returning audience) sends everything at once.
   */
  private afterEvent(catchUp = false): void {
    if (!hasPending(this.state)) return
    if (!this.active) {
      // Nobody listens during the grace period: keep state, send nothing.
      drain(this.state)
      return
    }
    const now = this.o.clock.now()
    // Event windows end on one grid for every symbol (flush-clock.ts): what is due together leaves together.
    const eventsDue = now >= windowEnd(this.lastFlushAt, this.o.flushMs)
    // Derived state keeps at least derivedMs between sends (anchored on its last send, so symbols'
    // are spread over the second) and goes out with an events flush, which is on the grid.
    const derivedDue = now >= this.lastDerivedAt + this.derivedMs
    if (catchUp || (eventsDue && derivedDue)) this.flush(now, 'all')
    else if (eventsDue && hasPending(this.state, 'events')) this.flush(now, 'events')
    // The wake-up is exactly the next due moment: one asked for before a flush that sent everything
    // would find a window of the grid already ended and send derived state alone (no trade to ride with).
    const next = Math.min(
      hasPending(this.state, 'events') ? windowEnd(this.lastFlushAt, this.o.flushMs) : Infinity,
      hasPendingDerived(this.state) ? this.lastDerivedAt + this.derivedMs + this.derivedSlackMs : Infinity,
    )
    if (next === this.flushAt) return
    this.flushAt = next
    if (next === Infinity) this.flushClock.cancel(this)
    else this.flushClock.schedule(this, next)
  }

  private flush(now: number, scope: 'all' | 'events'): void {
    this.lastFlushAt = now
    if (scope === 'all') this.lastDerivedAt = now
    for (const out of drain(this.state, scope)) this.out.emit(out, now)
  }

  /** A new epoch opened by a `reset` (seq 1), the state of the old scale dropped, and a fresh seed asked for. */
  private reset(reason: ResetReason): void {
    this.resets++
    this.out.newEpoch()
    this.state = createSymbolState(this.o.regularSession)
    if (this.active) this.out.announceReset(reason, this.o.clock.now())
    if (this.seedTimer) this.o.clock.clearTimeout(this.seedTimer)
    this.requestSeed()
  }

  /** Asks for the forming minute's trades so far; without them (no history, a failure) the first live bar covers the streamed trades only. */
  private requestMinutePrefix(): void {
    const history = this.o.tradeHistory
    if (!history || this.status !== 'running') return
    const now = this.o.clock.now()
    const minute = Math.floor(now / 60_000) * 60_000
    history.tradesBetween(this.symbol, minute, now + 1).then(
      (trades) => this.send({ type: 'prefixArrived', trades }),
      () => {},
    )
  }

  private requestSeed(): void {
    this.seedTimer = null
    const seed = this.o.seed
    if (!seed || this.status !== 'running') return
    const asOf = this.o.clock.now()
    const resets = this.resets
    seed(this.symbol).then(
      (snapshot) => this.send({ type: 'seedArrived', snapshot, asOf, resets }),
      (error) => this.send({ type: 'seedFailed', error, resets }),
    )
  }

  /** Sends a `no_bar` for each decided minute that had neither a live bar nor a provider bar, then waits for the next. */
  private announceEmptyMinutes(): void {
    this.closeTimer = null
    const now = this.o.clock.now()
    const graceMs = this.o.minuteCloseGraceMs ?? defaultCloseGraceMs
    const empty = closeMinutes(this.closer, { now, graceMs, finalized: this.state.finalized, regularSessionOf: this.o.regularSession })
    if (this.active && empty.length > 0) {
      // Closed bars and trades pending before it go first, so a `no_bar` never overtakes them.
      if (hasPending(this.state, 'events')) this.flush(now, 'events')
      for (const t of empty) this.out.emit({ type: 'no_bar', eventTs: t + 60_000, data: { t } }, now)
    }
    this.armClose()
  }

  private armClose(): void {
    const at = nextDecisionAt(this.closer, this.o.minuteCloseGraceMs ?? defaultCloseGraceMs)
    if (at === null || this.closeTimer !== null) return
    this.closeTimer = this.o.clock.setTimeout(() => this.send({ type: 'closeDue' }), Math.max(0, at - this.o.clock.now()))
  }

  private clearTimers(): void {
    this.flushClock.cancel(this)
    this.flushAt = Infinity
    if (this.seedTimer) this.o.clock.clearTimeout(this.seedTimer)
    if (this.closeTimer) this.o.clock.clearTimeout(this.closeTimer)
    this.seedTimer = this.closeTimer = null
  }
}
