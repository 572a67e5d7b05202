/** SymbolActor: one symbol's raw events in order → coalesced, seq-stamped messages, each serialised once and published once. */
import { backoff } from '../core/backoff'
import {
  applyMinuteBar,
  applySeed,
  applyTrade,
  createSymbolState,
  drain,
  hasPending,
  liveBarOf,
  snapshotOf,
  type Outgoing,
  type SymbolState,
} from '../core/coalesce'
import { marketMessage, messageTypeOf, type MarketMessageType } from '../core/protocol'
import type { Clock, TimerHandle } from '../ports/clock'
import type { LiveBar, Trade, UpstreamSnapshot } from '../ports/upstream'
import { Actor } from './actor'

export type SymbolMessage =
  | { type: 'tradesArrived'; trades: Trade[] }
  | { type: 'barsArrived'; bars: LiveBar[] }
  | { type: 'seedArrived'; snapshot: UpstreamSnapshot | null; asOf: number }
  | { type: 'seedFailed'; error: unknown }
  | { type: 'flushDue' }
  /** Upstream events may have been missed (reconnect): start a new epoch. */
  | { type: 'continuityLost' }
  /** A replica gained its first local subscriber: re-publish the latest messages. */
  | { type: 'replayRequested' }
  /** Subscribers appeared (true) or all left and the grace period began (false). */
  | { type: 'audienceChanged'; active: boolean }

/** Day statistics and prev close at start; null when the provider does not know the symbol. */
export type SnapshotSource = (symbol: string) => Promise<UpstreamSnapshot | null>

export interface SymbolActorOptions {
  symbol: string
  clock: Clock
  /** At most one message per kind per window; 0 = after every event. */
  flushMs: number
  source: 'simulated' | 'massive'
  /** Receives every message exactly once, already serialised. */
  publish: (symbol: string, payload: string, type: MarketMessageType) => void
  /** A fresh epoch string (unique per actor start and per continuity loss). */
  newEpoch: () => string
  seed?: SnapshotSource
  onFailure?: (error: unknown) => void
  /** @default Math.random (seed retry jitter) */
  random?: () => number
}

export class SymbolActor extends Actor<SymbolMessage> {
  readonly symbol: string
  private readonly o: SymbolActorOptions
  private state: SymbolState = createSymbolState()
  private seq = 0
  private epochValue: string
  private active = true
  private lastFlushAt = -Infinity
  private flushTimer: TimerHandle | null = null
  private seedTimer: TimerHandle | null = null
  private seedAttempt = 0
  private readonly lastPayload = new Map<MarketMessageType, string>()

  constructor(options: SymbolActorOptions) {
    super({ maxQueue: 100_000, onFailure: options.onFailure })
    this.symbol = options.symbol
    this.o = options
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
    this.requestSeed()
  }

  stop(): void {
    this.clearTimers()
    this.setStatus('stopped')
  }

  protected handle(m: SymbolMessage): void {
    switch (m.type) {
      case 'tradesArrived':
        for (const trade of m.trades) applyTrade(this.state, trade)
        break
      case 'barsArrived':
        for (const bar of m.bars) applyMinuteBar(this.state, bar)
        break
      case 'seedArrived':
        if (m.snapshot) applySeed(this.state, m.snapshot, m.asOf)
        break
      case 'seedFailed':
        this.seedTimer = this.o.clock.setTimeout(
          () => this.requestSeed(),
          backoff(this.seedAttempt++, this.o.random ?? Math.random, { baseMs: 1000, maxMs: 60_000, minMs: 500 }),
        )
        return
      case 'flushDue':
        this.flushTimer = null
        break
      case 'continuityLost':
        this.epochValue = this.o.newEpoch()
        this.seq = 0
        this.lastPayload.clear()
        this.state.live = null
        this.state.pendingSnapshot = snapshotOf(this.state) !== null
        break
      case 'replayRequested':
        if (this.active) for (const payload of this.lastPayload.values()) this.o.publish(this.symbol, payload, messageTypeOf(payload) as MarketMessageType)
        return
      case 'audienceChanged':
        this.active = m.active
        if (m.active) {
          this.state.pendingSnapshot = snapshotOf(this.state) !== null
          this.state.pendingLive = liveBarOf(this.state) !== null
        }
        break
    }
    this.afterEvent()
  }

  private afterEvent(): void {
    if (!hasPending(this.state)) return
    if (!this.active) {
      // Nobody listens during the grace period: keep state, send nothing.
      drain(this.state)
      return
    }
    if (this.flushTimer !== null) return
    const now = this.o.clock.now()
    const due = this.lastFlushAt + this.o.flushMs
    if (this.o.flushMs === 0 || now >= due) this.flush(now)
    else this.flushTimer = this.o.clock.setTimeout(() => this.send({ type: 'flushDue' }), due - now)
  }

  private flush(now: number): void {
    this.lastFlushAt = now
    for (const out of drain(this.state)) this.emit(out, now)
  }

  private emit(out: Outgoing, now: number): void {
    const payload = marketMessage({
      type: out.type,
      symbol: this.symbol,
      seq: ++this.seq,
      epoch: this.epochValue,
      eventTs: out.eventTs,
      ts: now,
      source: this.o.source,
      data: out.data,
    })
    this.lastPayload.set(out.type, payload)
    this.o.publish(this.symbol, payload, out.type)
  }

  private requestSeed(): void {
    this.seedTimer = null
    const seed = this.o.seed
    if (!seed || this.status !== 'running') return
    const asOf = this.o.clock.now()
    seed(this.symbol).then(
      (snapshot) => this.send({ type: 'seedArrived', snapshot, asOf }),
      (error) => this.send({ type: 'seedFailed', error }),
    )
  }

  private clearTimers(): void {
    if (this.flushTimer) this.o.clock.clearTimeout(this.flushTimer)
    if (this.seedTimer) this.o.clock.clearTimeout(this.seedTimer)
    this.flushTimer = this.seedTimer = null
  }
}
