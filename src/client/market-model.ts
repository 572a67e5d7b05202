/** The client's market state without I/O: watchlist rows, the chart's bars, per-symbol stream continuity, and when a backfill is due. */
import { planChart, type TimespanSpec } from './chart-series'
import {
  applyOlder,
  chartRequest,
  compactChartState,
  newChart,
  olderRequest,
  recoveryFrom,
  viewOf,
  type ChartPhase,
  type ChartRequest,
  type OlderRequest,
  type ChartState,
  type ChartView,
} from './chart-state'
import {
  applyInSequence,
  applyQuote,
  drainHeld,
  setPhase,
  touch,
  type Feed,
  type FeedStreaming,
  type ModelCounters,
  type ModelEffects,
} from './feed-messages'
import { replaceFrom, toMinuteBar, type MinuteBar } from './minute-bars'
import type { StreamCursor } from './sequence'
import { emptyRow, rowFromRest, type SnapshotRow } from './watch-rows'
import type { MarketMessage, RestSnapshot, WireBar } from './wire'

export type { ChartPhase, ChartRequest, ChartView, OlderRequest } from './chart-state'
export type { FeedStreaming, ModelCounters } from './feed-messages'
export type { SnapshotRow } from './watch-rows'

export interface MarketModelOptions {
  /** Backfill window after a reconnect or gap, in ms (5–30 minutes). @default 900_000 */
  backfillWindowMs: number
  /** Messages held while the chart is not synced; the oldest go first. @default 20_000 */
  bufferLimit: number
  /** Minute bars kept before old buckets are folded into history. @default 3_000 */
  maxMinutes: number
}

export const defaultModelOptions: MarketModelOptions = {
  backfillWindowMs: 15 * 60_000,
  bufferLimit: 20_000,
  maxMinutes: 3_000,
}

export class MarketModel {
  private feeds = new Map<string, Feed>()
  private chart: ChartState | null = null
  private generation = 0
  readonly counters: ModelCounters = { applied: 0, stale: 0, gaps: 0, epochChanges: 0, recoveries: 0 }
  /** Bumped on every visible change (rows or chart). */
  revision = 0
  readonly options: MarketModelOptions
  /** What applying stream messages changes here besides the feed and the chart. */
  private readonly effects: ModelEffects

  constructor(options: Partial<MarketModelOptions> = {}) {
    this.options = { ...defaultModelOptions, ...options }
    this.effects = { counters: this.counters, bufferLimit: this.options.bufferLimit, changed: () => this.revision++ }
  }

  // ── watchlist rows ──

  /** Sets the watched tickers (in display order); rows of kept tickers survive. */
  setWatchlist(tickers: readonly string[]): void {
    const next = new Map<string, Feed>()
    for (const t of tickers) next.set(t, this.feeds.get(t) ?? { row: emptyRow(t), streaming: 'off', cursor: null })
    this.feeds = next
    this.revision++
  }

  tickers(): string[] {
    return [...this.feeds.keys()]
  }

  rows(): SnapshotRow[] {
    return [...this.feeds.values()].map((f) => f.row)
  }

  streaming(ticker: string): FeedStreaming | null {
    return this.feeds.get(ticker)?.streaming ?? null
  }

  tickersWhere(state: FeedStreaming): string[] {
    return [...this.feeds].filter(([, f]) => f.streaming === state).map(([t]) => t)
  }

  applyRestSnapshots(results: readonly RestSnapshot[]): void {
    for (const r of results) {
      const feed = this.feeds.get(r.ticker)
      const row = feed && rowFromRest(feed.row, r)
      if (row) ((feed.row = row), this.revision++)
    }
  }

  // ── stream lifecycle ──

  /** A subscribe request was sent: hold the chart's messages until it is confirmed and backfilled. */
  subscribing(tickers: readonly string[]): void {
    for (const t of tickers) {
      const feed = this.feeds.get(t)
      if (!feed) continue
      feed.streaming = 'awaiting'
      feed.cursor = null
      if (this.chart?.symbol === t && this.chart.phase !== 'loading') this.setPhase(this.chart, 'awaiting_subscription')
    }
  }

  /** The server's `subscribed` reply (the full set). A newly confirmed chart symbol needs a backfill. */
  subscribed(symbols: readonly string[]): void {
    const confirmed = new Set(symbols)
    for (const [t, feed] of this.feeds) {
      if (!confirmed.has(t)) {
        if (feed.streaming === 'on') ((feed.streaming = 'off'), (feed.cursor = null))
        continue
      }
      if (feed.streaming === 'on') continue
      feed.streaming = 'on'
      const chart = this.chart
      if (chart?.symbol !== t) continue
      if (chart.phase === 'loading') chart.confirmedDuringLoad = true
      else this.setPhase(chart, 'needs_recovery')
    }
  }

  /** The server refused these subscriptions (SUBSCRIPTION_LIMIT, NOT_IN_WATCHLIST): they are polled instead. */
  refused(tickers: readonly string[]): void {
    for (const t of tickers) {
      const feed = this.feeds.get(t)
      if (!feed || feed.streaming === 'on') continue
      feed.streaming = 'refused'
      this.releaseChartIfWaiting(t)
    }
  }

  /** A subscription slot may have freed up: refused tickers become subscribable again. */
  retryRefused(): void {
    for (const feed of this.feeds.values()) if (feed.streaming === 'refused') feed.streaming = 'off'
  }

  /** The socket is gone: nothing streams; continuity restarts with the next subscription. */
  streamLost(): void {
    for (const [t, feed] of this.feeds) {
      feed.streaming = 'off'
      feed.cursor = null
      this.releaseChartIfWaiting(t)
    }
  }

  private releaseChartIfWaiting(ticker: string): void {
    if (this.chart?.symbol === ticker && this.chart.phase === 'awaiting_subscription') this.drain(this.chart)
  }

  /** The server restarted a symbol's stream on a new scale (`reset`, a split): continue from its cursor; the caller loads it again. */
  restarted(symbol: string, cursor: StreamCursor): void {
    const feed = this.feeds.get(symbol)
    if (feed) feed.cursor = cursor
  }

  // ── stream messages ──

  /** Applies one market message, or holds it while the chart is not synced. */
  applyMessage(m: MarketMessage, now: number): void {
    const feed = this.feeds.get(m.symbol)
    if (!feed) return
    if (m.type === 'quote') return applyQuote(feed, m, this.effects)
    const chart = this.chart?.symbol === m.symbol ? this.chart : null
    applyInSequence(feed, chart, m, now, this.effects)
  }

  /** Applies the chart's held messages in arrival order (see drainHeld). */
  private drain(chart: ChartState): void {
    drainHeld(chart, this.feeds.get(chart.symbol), this.effects)
  }

  // ── chart ──

  /** Shows `symbol` at `spec`: returns the REST load to make (its messages are held meanwhile). */
  selectChart(symbol: string, spec: TimespanSpec, now: number): ChartRequest {
    const plan = planChart(spec, now, this.options.backfillWindowMs)
    this.chart = newChart(symbol, plan, ++this.generation, now)
    this.revision++
    return chartRequest(this.chart, plan.coverageFrom)
  }

  clearChart(): void {
    this.chart = null
    this.revision++
  }

  chartSymbol(): string | null {
    return this.chart?.symbol ?? null
  }

  /** The answer to selectChart's request; ignored when the chart changed since. */
  applyChartLoad(req: ChartRequest, history: readonly WireBar[], minutes: readonly WireBar[], fetchedAt: number): void {
    const chart = this.current(req, 'loading')
    if (!chart) return
    chart.history = history.filter((b) => b.t < req.coverageFrom)
    chart.minutes = minutes.filter((b) => b.t >= req.coverageFrom).map((b) => toMinuteBar(b, fetchedAt))
    chart.goodUntil = fetchedAt
    this.touch(chart)
    const streaming = this.feeds.get(chart.symbol)?.streaming
    if (streaming === 'awaiting') this.setPhase(chart, 'awaiting_subscription')
    else if (streaming === 'on' && chart.confirmedDuringLoad) this.setPhase(chart, 'needs_recovery')
    else this.drain(chart)
  }

  /** The load failed: ask for a backfill, which fills the recent window. */
  chartLoadFailed(req: ChartRequest): void {
    const chart = this.current(req, 'loading')
    if (chart) this.setPhase(chart, 'needs_recovery')
  }

  /** True when the chart wants a backfill and none is in flight. */
  needsRecovery(): boolean {
    return this.chart?.phase === 'needs_recovery'
  }

  /**
   * Starts a backfill of the recent minutes (REST polling uses it too); held messages become
   * "before the request". Null while the chart is loading or a backfill is in flight.
   */
  beginRecovery(now: number): ChartRequest | null {
    const chart = this.chart
    if (!chart || chart.phase === 'loading' || chart.phase === 'recovering') return null
    for (const h of chart.held) h.afterRequest = false
    this.setPhase(chart, 'recovering')
    return chartRequest(chart, recoveryFrom(chart, now, this.options.backfillWindowMs))
  }

  /** The backfill answer: REST replaces the window, then held messages apply on top, in order. */
  applyRecovery(req: ChartRequest, minutes: readonly WireBar[], fetchedAt: number): void {
    const chart = this.current(req, 'recovering')
    if (!chart) return
    this.counters.recoveries++
    chart.minutes = replaceFrom(chart.minutes, req.minutesFrom, minutes, fetchedAt)
    chart.goodUntil = fetchedAt
    this.touch(chart)
    this.drain(chart)
  }

  recoveryFailed(req: ChartRequest): void {
    const chart = this.current(req, 'recovering')
    if (chart) this.setPhase(chart, 'needs_recovery')
  }

  /** Folds old minutes into history once the store grows past maxMinutes (cheap when it has not). */
  compact(now: number): void {
    const c = this.chart
    if (c && c.phase === 'synced' && compactChartState(c, now, this.options.backfillWindowMs, this.options.maxMinutes))
      this.touch(c)
  }

  chartView(): ChartView | null {
    return this.chart ? viewOf(this.chart) : null
  }

  /** The next page of older history to fetch (marked in flight), or null when none is due. */
  beginOlder(): OlderRequest | null {
    const req = this.chart ? olderRequest(this.chart) : null
    if (req) this.revision++
    return req
  }

  /** The answer to beginOlder's request (null: it failed, try again later); ignored when the chart changed since. */
  applyOlder(req: OlderRequest, bars: readonly WireBar[] | null): void {
    const c = this.chart
    if (!c || c.generation !== req.generation) return
    applyOlder(c, req, bars)
    this.revision++
  }

  /** The chart's minute store, with origins (for tests and diagnostics). */
  chartMinutes(): readonly MinuteBar[] {
    return this.chart?.minutes ?? []
  }

  private current(req: ChartRequest, phase: ChartPhase): ChartState | null {
    const c = this.chart
    return c && c.generation === req.generation && c.phase === phase ? c : null
  }

  private setPhase(chart: ChartState, phase: ChartPhase): void {
    setPhase(chart, phase, this.effects)
  }

  private touch(chart: ChartState): void {
    touch(chart, this.effects)
  }
}
