/** SymbolPipeline: where a market event goes on this replica — feed → UpstreamActor → SymbolHub (one SymbolActor per symbol) → LocalFanout (local topics) and BusBatch (other replicas); both actors supervised. */
import type { Logger } from '../ports/logger'
import type { SnapshotSource } from '../actors/symbol-actor'
import { SymbolHub } from '../actors/symbol-hub'
import { UpstreamActor, type UpstreamReport, type UpstreamSink } from '../actors/upstream-actor'
import { symbolTopic } from '../contract/protocol'
import type { ResetReason } from '../contract/messages'
import { backoff } from '../core/backoff'
import type { RegularSessionOf } from '../core/coalesce'
import type { Bus } from '../ports/bus'
import type { Clock } from '../ports/clock'
import type { ConditionTableSource } from '../ports/upstream-conditions'
import type { TradeHistory } from '../ports/upstream-trades'
import type { SymbolRegistry } from '../ports/symbol-registry'
import type { UpstreamFeed } from '../ports/upstream'
import { BusBatch, LocalFanout } from './fanout'

/** Bus topic on which a replica asks the holder to re-send a symbol's latest messages. */
const replayTopic = 'ctl:replay'

export interface SymbolPipelineDeps {
  clock: Clock
  log: Logger
  bus: Bus
  registry: SymbolRegistry
  feed: UpstreamFeed
  /** Bun's topic publish of the listening server (0 before it listens). */
  publishLocal(topic: string, payload: string): number
  flushMs: number
  derivedMs: number
  graceMs: number
  pressureCheckBytes: number
  seed?: SnapshotSource
  /** Where a day's regular session lies (its last trade closes the day). @default the exchange calendar */
  regularSession?: RegularSessionOf
  /** The sale-condition rules trades are applied by. @default the shipped table */
  conditions?: ConditionTableSource
  /** The provider's recent trades: the forming minute's trades from before the stream began seed the first live bar (seedMinutePrefix). @default none (the first live bar covers what was streamed) */
  tradeHistory?: TradeHistory
  random: () => number
}

/** How often each supervised actor was replaced after a failure (metrics, status). */
export interface PipelineRestarts {
  hub: number
  upstream: number
}

export class SymbolPipeline {
  readonly fanout: LocalFanout
  readonly restarts: PipelineRestarts = { hub: 0, upstream: 0 }
  private hub!: SymbolHub
  private upstream!: UpstreamActor
  private holding = false
  private started = false
  private stopped = false
  private readonly busBatch: BusBatch
  private readonly reportListeners = new Set<(report: UpstreamReport) => void>()
  private readonly cleanups: (() => void)[] = []
  private hubCleanup: (() => void) | null = null
  private upstreamCleanup: (() => void) | null = null
  /** Upstream actor failures since its last healthy session: the second and later replacements wait a growing backoff. */
  private upstreamFailures = 0
  private holdTimer: ReturnType<Clock['setTimeout']> | null = null
  /** The upstream actor's sink: always the current hub, across hub restarts. */
  private readonly sink: UpstreamSink = {
    trades: (trades) => this.hub.trades(trades),
    quotes: (quotes) => this.hub.quotes(quotes),
    bars: (bars) => this.hub.bars(bars),
    continuityLost: () => this.hub.continuityLost(),
    interrupted: () => this.hub.interrupted(),
  }

  constructor(private readonly deps: SymbolPipelineDeps) {
    this.fanout = new LocalFanout(
      {
        bus: deps.bus,
        registry: deps.registry,
        publish: deps.publishLocal,
        requestReplay: (symbol) => {
          this.hub.replay(symbol)
          deps.bus.publish(replayTopic, symbol)
        },
        pressureCheckBytes: deps.pressureCheckBytes,
      },
      deps.clock,
    )
    // One Redis message per symbol event: the messages one flush emits (trade, bar, snapshot) cross the bus together.
    this.busBatch = new BusBatch((symbol, payloads) => deps.bus.publish(symbolTopic(symbol), payloads.join('\n')))
    this.hub = this.buildHub()
    this.upstream = this.buildUpstream()
  }

  start(): void {
    if (this.started) return
    this.started = true
    this.hub.start()
    this.cleanups.push(this.deps.bus.subscribe(replayTopic, (symbol) => this.hub.replay(symbol)))
  }

  /** Start (true) or stop (false) holding the upstream feed and running symbol actors. */
  setHolding(hold: boolean): void {
    this.holding = hold
    this.hub.setHolding(hold)
    // While a replacement waits out its backoff, the timer resumes holding.
    if (this.holdTimer === null || !hold) this.upstream.hold(hold)
  }

  /** A symbol's prices changed scale (a split): on the upstream holder its actor sends subscribers a `reset` (elsewhere nothing runs it). */
  reset(symbol: string, reason: ResetReason): void {
    this.hub.reset(symbol, reason)
  }

  /** Symbols the upstream is subscribed to (running actors, grace included). */
  wanted(): string[] {
    return this.hub.wanted()
  }

  report(): UpstreamReport {
    return this.upstream.report()
  }

  onReport(listener: (report: UpstreamReport) => void): () => void {
    this.reportListeners.add(listener)
    return () => this.reportListeners.delete(listener)
  }

  stop(): void {
    this.stopped = true
    if (this.holdTimer !== null) this.deps.clock.clearTimeout(this.holdTimer)
    this.upstream.stop()
    this.hub.stop()
    this.hubCleanup?.()
    this.upstreamCleanup?.()
    for (const cleanup of this.cleanups) cleanup()
  }

  private buildHub(): SymbolHub {
    const d = this.deps
    const hub = new SymbolHub({
      clock: d.clock,
      log: d.log,
      registry: d.registry,
      flushMs: d.flushMs,
      derivedMs: d.derivedMs,
      source: d.feed.name,
      regularSession: d.regularSession,
      conditions: d.conditions,
      tradeHistory: d.tradeHistory,
      nodeId: d.bus.nodeId,
      seed: d.seed,
      graceMs: d.graceMs,
      publish: (symbol, payload) => {
        this.fanout.deliver(symbol, payload)
        // Alone on its bus (one process), no other replica would read the batch: build none.
        if (d.bus.shared) this.busBatch.add(symbol, payload)
      },
      onFailure: () => this.replaceHub(),
    })
    this.hubCleanup?.()
    this.hubCleanup = hub.onWantedChange(() => this.upstream.wantedChanged())
    return hub
  }

  private buildUpstream(): UpstreamActor {
    const d = this.deps
    const upstream = new UpstreamActor({
      feed: d.feed,
      clock: d.clock,
      log: d.log,
      sink: this.sink,
      wanted: () => this.hub.wanted(),
      wantedQuotes: () => this.hub.wantedQuotes(),
      random: d.random,
      onFailure: () => this.replaceUpstream(),
    })
    this.upstreamCleanup?.()
    this.upstreamCleanup = upstream.onReport((report) => {
      if (report.state === 'connected') this.upstreamFailures = 0
      for (const listener of this.reportListeners) listener(report)
    })
    return upstream
  }

  /** A failed hub is stopped (its actors with it) and a new one takes its place; symbols restart in new epochs (no provider connection is made, so no backoff). */
  private replaceHub(): void {
    if (this.stopped) return
    this.restarts.hub++
    this.deps.log.warn('symbol hub replaced after a failure', { restarts: this.restarts.hub })
    this.hub.stop()
    this.hub = this.buildHub()
    if (this.started) this.hub.start()
    if (this.holding) this.hub.setHolding(true)
    this.upstream.wantedChanged()
  }

  /**
   * A failed upstream actor releases its session and a new one takes its place: at once after a
   * first failure, after a growing backoff when it keeps failing before a healthy session (a defect
   * that fails on every session must not reconnect to the provider in a tight loop).
   */
  private replaceUpstream(): void {
    if (this.stopped) return
    this.restarts.upstream++
    const failures = ++this.upstreamFailures
    this.deps.log.warn('upstream actor replaced after a failure', { restarts: this.restarts.upstream })
    this.upstream.stop()
    this.upstream = this.buildUpstream()
    if (this.holdTimer !== null) this.deps.clock.clearTimeout(this.holdTimer)
    this.holdTimer = null
    const delay = failures <= 1 ? 0 : backoff(failures - 2, this.deps.random)
    const resume = () => {
      this.holdTimer = null
      if (this.holding && !this.stopped) this.upstream.hold(true)
    }
    if (delay === 0) resume()
    else this.holdTimer = this.deps.clock.setTimeout(resume, delay)
  }
}
