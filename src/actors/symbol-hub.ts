/** SymbolHub: on the upstream holder, one SymbolActor per symbol some replica wants; grace period, restart on failure, event routing. */
import type { Logger } from '../ports/logger'
import type { MarketMessageType } from '../contract/protocol'
import type { ResetReason } from '../contract/messages'
import type { Clock, TimerHandle } from '../ports/clock'
import type { ConditionTableSource } from '../ports/upstream-conditions'
import type { TradeHistory } from '../ports/upstream-trades'
import type { SymbolRegistry } from '../ports/symbol-registry'
import type { LiveBar, Quote, Trade } from '../core/market-types'
import type { RegularSessionOf } from '../core/coalesce'
import { readWantedEntry } from '../contract/channels'
import { Actor } from './actor'
import { SymbolActor, type SnapshotSource } from './symbol-actor'
import { FlushClock } from './flush-clock'

type HubMessage = { type: 'wantedChanged' } | { type: 'holdingChanged'; holding: boolean }

export interface SymbolHubOptions {
  clock: Clock
  log: Logger
  registry: SymbolRegistry
  flushMs: number
  /** Live bar and snapshot at most once per this window. @default derivedWindowMs */
  derivedMs?: number
  source: 'simulated' | 'massive'
  /** Where a day's regular session lies (its last trade closes the day). @default the exchange calendar */
  regularSession?: RegularSessionOf
  /** The sale-condition rules trades are applied by. @default the shipped table */
  conditions?: ConditionTableSource
  /** The provider's recent trades: the forming minute's trades from before the stream began seed the first live bar (seedMinutePrefix). @default none (the first live bar covers what was streamed) */
  tradeHistory?: TradeHistory
  /** Where every actor's serialised messages go (bus + local fan-out). */
  publish: (symbol: string, payload: string, type: MarketMessageType) => void
  seed?: SnapshotSource
  /** Prefix of epochs, unique per process (the bus node id). */
  nodeId: string
  /** How long an actor outlives its last subscriber. @default 15_000 */
  graceMs?: number
  /** Called once if the hub itself fails (its supervisor replaces it). */
  onFailure?: (error: unknown) => void
}

interface Entry {
  actor: SymbolActor
  /** Set while nobody wants the symbol: the actor stops when it fires. */
  graceTimer: TimerHandle | null
}

/**
 * Actors exist only while this process holds the upstream. The hub reconciles them with the
 * registry's union in its mailbox (so reads of the registry never race); routing of feed
 * events is a synchronous lookup. `wanted()` (including actors in grace) is what the
 * UpstreamActor subscribes to, and `wantedQuotes()` (symbols of the union's quotes entries, no
 * grace) the symbols it subscribes quotes for.
 */
export class SymbolHub extends Actor<HubMessage> {
  private readonly o: SymbolHubOptions
  private readonly entries = new Map<string, Entry>()
  /** One timer for every actor's flushes, on one window grid: a subscriber's symbols flushed in one turn reach it in one socket write. */
  private readonly flushClock: FlushClock
  /** Symbols of the union whose quotes some subscriber wants. */
  private quotesWanted = new Set<string>()
  private readonly wantedListeners = new Set<() => void>()
  private holding = false
  private refreshQueued = false
  private epochCounter = 0
  private unlisten: (() => void) | null = null
  /** Actor restarts after failures, for status and tests. */
  restarts = 0

  constructor(options: SymbolHubOptions) {
    super({
      onFailure: (e) => {
        options.log.error('symbol hub failed', { error: String(e) })
        options.onFailure?.(e)
      },
    })
    this.o = options
    this.flushClock = new FlushClock(options.clock)
  }

  start(): void {
    if (this.status !== 'idle') return
    this.setStatus('running')
    this.unlisten = this.o.registry.onChange(() => this.queueRefresh())
  }

  /** Starts (true) or stops (false) running actors, as the upstream holding changes. */
  setHolding(holding: boolean): void {
    this.send({ type: 'holdingChanged', holding })
  }

  stop(): void {
    this.unlisten?.()
    for (const symbol of [...this.entries.keys()]) this.remove(symbol)
    this.setStatus('stopped')
  }

  /** Symbols to subscribe upstream: every live actor, including those in grace. */
  wanted(): string[] {
    return [...this.entries.keys()].sort()
  }

  /** Symbols to subscribe quotes for upstream: wanted ones whose quotes channel someone has. */
  wantedQuotes(): string[] {
    return [...this.quotesWanted].filter((s) => this.entries.has(s)).sort()
  }

  onWantedChange(listener: () => void): () => void {
    this.wantedListeners.add(listener)
    return () => this.wantedListeners.delete(listener)
  }

  actor(symbol: string): SymbolActor | undefined {
    return this.entries.get(symbol)?.actor
  }

  trades(trades: Trade[]): void {
    if (trades.length === 0) return
    // Frames usually carry one symbol; split only when they do not.
    const first = trades[0].symbol
    if (trades.every((t) => t.symbol === first)) {
      this.entries.get(first)?.actor.send({ type: 'tradesArrived', trades })
      return
    }
    const bySymbol = new Map<string, Trade[]>()
    for (const t of trades) {
      const list = bySymbol.get(t.symbol)
      if (list) list.push(t)
      else bySymbol.set(t.symbol, [t])
    }
    for (const [symbol, list] of bySymbol) this.entries.get(symbol)?.actor.send({ type: 'tradesArrived', trades: list })
  }

  /** NBBO updates, routed like trades (a frame usually carries one symbol). */
  quotes(quotes: Quote[]): void {
    if (quotes.length === 0) return
    const first = quotes[0]!.symbol
    if (quotes.every((q) => q.symbol === first)) {
      this.entries.get(first)?.actor.send({ type: 'quotesArrived', quotes })
      return
    }
    const bySymbol = new Map<string, Quote[]>()
    for (const q of quotes) {
      const list = bySymbol.get(q.symbol)
      if (list) list.push(q)
      else bySymbol.set(q.symbol, [q])
    }
    for (const [symbol, list] of bySymbol) this.entries.get(symbol)?.actor.send({ type: 'quotesArrived', quotes: list })
  }

  bars(bars: LiveBar[]): void {
    for (const bar of bars) this.entries.get(bar.symbol)?.actor.send({ type: 'barsArrived', bars: [bar] })
  }

  /** The upstream session ended: every actor stops judging minutes and the day until events flow again. */
  interrupted(): void {
    for (const { actor } of this.entries.values()) actor.send({ type: 'feedInterrupted' })
  }

  /** The upstream may have dropped events (reconnect): every actor starts a new epoch. */
  continuityLost(): void {
    for (const { actor } of this.entries.values()) actor.send({ type: 'continuityLost' })
  }

  /** The symbol's prices changed scale (a split): its actor, if any, starts a new epoch with a `reset`. */
  reset(symbol: string, reason: ResetReason): void {
    this.entries.get(symbol)?.actor.send({ type: 'resetRequested', reason })
  }

  /** Re-publish a symbol's latest messages (a replica just gained its first local subscriber). */
  replay(symbol: string): void {
    this.entries.get(symbol)?.actor.send({ type: 'replayRequested' })
  }

  protected async handle(m: HubMessage): Promise<void> {
    if (m.type === 'holdingChanged') {
      this.holding = m.holding
      if (!m.holding) {
        for (const symbol of [...this.entries.keys()]) this.remove(symbol)
        this.quotesWanted = new Set()
        this.notifyWanted()
        return
      }
    } else this.refreshQueued = false
    if (!this.holding) return
    let union: string[]
    try {
      union = await this.o.registry.wantedUnion()
    } catch (e) {
      // Keep what we have; the registry calls onChange again periodically.
      this.o.log.warn('symbol registry unreachable; keeping current symbols', { error: String(e) })
      return
    }
    if (this.holding && this.status === 'running') this.reconcile(new Set(union))
  }

  private queueRefresh(): void {
    if (this.refreshQueued) return
    this.refreshQueued = true
    this.send({ type: 'wantedChanged' })
  }

  private reconcile(entries: Set<string>): void {
    const union = new Set<string>()
    const quotes = new Set<string>()
    for (const entry of entries) {
      const { symbol, quotes: isQuotes } = readWantedEntry(entry)
      ;(isQuotes ? quotes : union).add(symbol)
    }
    let changed = quotes.size !== this.quotesWanted.size || [...quotes].some((s) => !this.quotesWanted.has(s))
    this.quotesWanted = quotes
    for (const symbol of union) {
      const entry = this.entries.get(symbol)
      if (entry === undefined) {
        this.entries.set(symbol, { actor: this.spawn(symbol), graceTimer: null })
        changed = true
      } else if (entry.graceTimer !== null) {
        this.o.clock.clearTimeout(entry.graceTimer)
        entry.graceTimer = null
        entry.actor.send({ type: 'audienceChanged', active: true })
      }
    }
    for (const [symbol, entry] of this.entries) {
      if (union.has(symbol) || entry.graceTimer !== null) continue
      entry.actor.send({ type: 'audienceChanged', active: false })
      entry.graceTimer = this.o.clock.setTimeout(() => {
        if (this.entries.get(symbol) !== entry) return
        this.remove(symbol)
        this.notifyWanted()
      }, this.o.graceMs ?? 15_000)
    }
    if (changed) this.notifyWanted()
  }

  private spawn(symbol: string): SymbolActor {
    const actor: SymbolActor = new SymbolActor({
      symbol,
      clock: this.o.clock,
      flushMs: this.o.flushMs,
      derivedMs: this.o.derivedMs,
      source: this.o.source,
      regularSession: this.o.regularSession,
      conditions: this.o.conditions,
      tradeHistory: this.o.tradeHistory,
      publish: this.o.publish,
      seed: this.o.seed,
      flushClock: this.flushClock,
      newEpoch: () => `${this.o.nodeId}.${this.o.clock.now().toString(36)}.${(++this.epochCounter).toString(36)}`,
      onFailure: (error) => this.restart(symbol, actor, error),
    })
    actor.start()
    return actor
  }

  /** Supervision: a failed actor is replaced by a fresh one (new epoch: clients see the discontinuity). */
  private restart(symbol: string, failed: SymbolActor, error: unknown): void {
    this.o.log.error('symbol actor failed; restarting', { symbol, error: String(error) })
    const entry = this.entries.get(symbol)
    if (entry === undefined || entry.actor !== failed) return
    this.restarts++
    entry.actor = this.spawn(symbol)
    if (entry.graceTimer !== null) entry.actor.send({ type: 'audienceChanged', active: false })
  }

  private remove(symbol: string): void {
    const entry = this.entries.get(symbol)
    if (entry === undefined) return
    if (entry.graceTimer !== null) this.o.clock.clearTimeout(entry.graceTimer)
    entry.actor.stop()
    this.entries.delete(symbol)
  }

  private notifyWanted(): void {
    for (const listener of this.wantedListeners) listener()
  }
}
