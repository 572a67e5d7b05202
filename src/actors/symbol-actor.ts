/** SymbolActor: one symbol's raw events in order → coalesced, seq-stamped messages, each serialised once and published once. */
import { backoff } from '../core/backoff'
import {
  applyMinuteBar,
  applySeed,
  applyTrade,
  createSymbolState,
  seedMissing,
  forgetDayFigures,
  drain,
  hasPending,
  hasPendingDerived,
  liveBarOf,
  seedMinutePrefix,
  snapshotOf,
  type Outgoing,
  type RegularSessionOf,
  type SymbolState,
} from '../core/coalesce'
import { marketMessage, messageTypeOf, type MarketMessageType } from '../contract/protocol'
import type { ResetReason } from '../contract/messages'
import type { Clock, TimerHandle } from '../ports/clock'
import type { ConditionTableSource } from '../ports/upstream-conditions'
import type { TradeHistory } from '../ports/upstream-trades'
import type { LiveBar, Quote, Trade, UpstreamSnapshot } from '../core/market-types'
import { applyQuote } from '../core/quote-state'
import { closeMinutes, createMinuteCloser, defaultCloseGraceMs, nextDecisionAt, noteTraded, startClosing, stopClosing } from '../core/minute-close'
import { Actor } from './actor'

export type SymbolMessage =
  | { type: 'tradesArrived'; trades: Trade[] }
  | { type: 'quotesArrived'; quotes: Quote[] }
  | { type: 'barsArrived'; bars: LiveBar[] }
  /** `resets`: the actor's reset count when the seed was asked for (one asked before a reset is on the old scale). */
  | { type: 'seedArrived'; snapshot: UpstreamSnapshot | null; asOf: number; resets: number }
  | { type: 'seedFailed'; error: unknown; resets: number }
  /** The forming minute's trades from before the stream began (TradeHistory). */
  | { type: 'prefixArrived'; trades: Trade[] }
  | { type: 'flushDue' }
  /** A minute's grace has passed: announce it if it ended with no bar. */
  | { type: 'closeDue' }
  /** Upstream events may have been missed (reconnect): start a new epoch. */
  | { type: 'continuityLost' }
  /** The upstream session ended: events are missed until continuityLost (the next session). */
  | { type: 'feedInterrupted' }
  /** A replica gained its first local subscriber: re-publish the latest messages. */
  | { type: 'replayRequested' }
  /** Subscribers appeared (true) or all left and the grace period began (false). */
  | { type: 'audienceChanged'; active: boolean }
  /** The symbol's prices changed scale (a split): forget the state, start a new epoch with a `reset`, seed again. */
  | { type: 'resetRequested'; reason: ResetReason }

/** Day statistics and prev close at start; null when the provider does not know the symbol. */
export type SnapshotSource = (symbol: string) => Promise<UpstreamSnapshot | null>

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
}

export class SymbolActor extends Actor<SymbolMessage> {
  readonly symbol: string
  private readonly o: SymbolActorOptions
  private state: SymbolState
  private seq = 0
  /** Quote messages count apart (their own seq in the same epoch), so subscriptions without quotes see no gaps. */
  private quoteSeq = 0
  private epochValue: string
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
  private flushTimer: TimerHandle | null = null
  /** When flushTimer fires (valid while it is set). */
  private flushTimerAt = Infinity
  private seedTimer: TimerHandle | null = null
  private seedAttempt = 0
  /** How many resets (splits) this actor made: a seed asked for under an earlier count carries the old scale's prices. */
  private resets = 0
  private readonly closer = createMinuteCloser()
  private closeTimer: TimerHandle | null = null
  private readonly lastPayload = new Map<MarketMessageType, string>()

  constructor(options: SymbolActorOptions) {
    super({ maxQueue: 100_000, onFailure: options.onFailure })
    this.symbol = options.symbol
    this.o = options
    this.state = createSymbolState(options.regularSession)
    this.derivedMs = Math.max(options.flushMs, options.derivedMs ?? derivedWindowMs)
    this.derivedSlackMs = options.flushMs < this.derivedMs ? this.derivedMs : 0
    this.epochValue = options.newEpoch()
  }

  get epoch(): string {
    return this.epochValue
  }
  /** The seq of the last published message (0 before any). */
  get lastSeq(): number {
    return this.seq
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
        this.flushTimer = null
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
        this.epochValue = this.o.newEpoch()
        this.seq = 0
        this.quoteSeq = 0
        this.lastPayload.clear()
        this.state.live = null
        this.state.pendingSnapshot = snapshotOf(this.state) !== null
        return this.afterEvent(true)
      case 'replayRequested':
        if (this.active)
          for (const payload of this.lastPayload.values())
            this.o.publish(this.symbol, payload, messageTypeOf(payload) as MarketMessageType)
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
    const eventsDue = now >= this.lastFlushAt + this.o.flushMs
    const derivedDue = now >= this.lastDerivedAt + this.derivedMs
    if (catchUp || (eventsDue && derivedDue)) this.flush(now, 'all')
    else if (eventsDue && hasPending(this.state, 'events')) this.flush(now, 'events')
    if (!hasPending(this.state)) return
    const next = Math.min(
      hasPending(this.state, 'events') ? this.lastFlushAt + this.o.flushMs : Infinity,
      hasPendingDerived(this.state) ? this.lastDerivedAt + this.derivedMs + this.derivedSlackMs : Infinity,
    )
    // A trade arriving while only derived state waits (up to 2 × derivedMs) must not wait with it.
    if (this.flushTimer !== null) {
      if (this.flushTimerAt <= next) return
      this.o.clock.clearTimeout(this.flushTimer)
    }
    this.flushTimerAt = next
    this.flushTimer = this.o.clock.setTimeout(() => this.send({ type: 'flushDue' }), Math.max(0, next - now))
  }

  private flush(now: number, scope: 'all' | 'events'): void {
    this.lastFlushAt = now
    if (scope === 'all') this.lastDerivedAt = now
    for (const out of drain(this.state, scope)) this.emit(out, now)
  }

  private emit(out: Outgoing | { type: 'no_bar'; eventTs: number; data: { t: number } }, now: number): void {
    const payload = marketMessage({
      type: out.type,
      symbol: this.symbol,
      seq: out.type === 'quote' ? ++this.quoteSeq : ++this.seq,
      epoch: this.epochValue,
      eventTs: out.eventTs,
      ts: now,
      source: this.o.source,
      data: out.data,
    })
    // A late joiner is sent the latest message of each kind; an old minute's `no_bar` tells it nothing.
    if (out.type !== 'no_bar') this.lastPayload.set(out.type, payload)
    this.o.publish(this.symbol, payload, out.type)
  }

  /** A new epoch opened by a `reset` (seq 1), the state of the old scale dropped, and a fresh seed asked for. */
  private reset(reason: ResetReason): void {
    this.resets++
    this.epochValue = this.o.newEpoch()
    this.seq = 0
    this.quoteSeq = 0
    this.lastPayload.clear()
    this.state = createSymbolState(this.o.regularSession)
    const now = this.o.clock.now()
    if (this.active)
      this.o.publish(
        this.symbol,
        marketMessage({
          type: 'reset',
          symbol: this.symbol,
          seq: ++this.seq,
          epoch: this.epochValue,
          eventTs: now,
          ts: now,
          source: this.o.source,
          data: { reason },
        }),
        'reset',
      )
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
      for (const t of empty) this.emit({ type: 'no_bar', eventTs: t + 60_000, data: { t } }, now)
    }
    this.armClose()
  }

  private armClose(): void {
    const at = nextDecisionAt(this.closer, this.o.minuteCloseGraceMs ?? defaultCloseGraceMs)
    if (at === null || this.closeTimer !== null) return
    this.closeTimer = this.o.clock.setTimeout(() => this.send({ type: 'closeDue' }), Math.max(0, at - this.o.clock.now()))
  }

  private clearTimers(): void {
    if (this.flushTimer) this.o.clock.clearTimeout(this.flushTimer)
    if (this.seedTimer) this.o.clock.clearTimeout(this.seedTimer)
    if (this.closeTimer) this.o.clock.clearTimeout(this.closeTimer)
    this.flushTimer = this.seedTimer = this.closeTimer = null
  }
}
