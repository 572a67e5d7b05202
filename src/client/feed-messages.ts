/** How a symbol's stream messages reach its watchlist row and the chart: sequence checks, held while the chart is not synced, drained in arrival order after a REST load. */
import { hold, type ChartPhase, type ChartState } from './chart-state'
import { applyTrade, mergeStreamBar } from './minute-bars'
import { checkSequence, isApplicable, type StreamCursor } from './sequence'
import { rowFromStream, type SnapshotRow } from './watch-rows'
import type { MarketMessage } from './wire'

/** 'off': not on the stream; 'awaiting': subscribe sent; 'on': confirmed; 'refused': the server said no (limit, not in watchlist). */
export type FeedStreaming = 'off' | 'awaiting' | 'on' | 'refused'

/** One watched symbol: its row, whether the stream carries it, and the last applied message's place in its sequence. */
export interface Feed {
  row: SnapshotRow
  streaming: FeedStreaming
  cursor: StreamCursor | null
}

export interface ModelCounters {
  applied: number
  stale: number
  gaps: number
  epochChanges: number
  recoveries: number
}

/** What applying messages changes on the model besides the feed and the chart. */
export interface ModelEffects {
  readonly counters: ModelCounters
  /** Messages held while the chart is not synced; the oldest go first. */
  readonly bufferLimit: number
  /** Something visible changed (rows or chart): the model's revision moves on. */
  changed(): void
}

export function setPhase(chart: ChartState, phase: ChartPhase, fx: ModelEffects): void {
  if (chart.phase !== phase) ((chart.phase = phase), fx.changed())
}

export function touch(chart: ChartState, fx: ModelEffects): void {
  chart.revision++
  fx.changed()
}

/** A quote touches only the row's bid and ask (latest wins; quotes number their own seq): no gap, no backfill. */
export function applyQuote(feed: Feed, m: MarketMessage, fx: ModelEffects): void {
  const row = rowFromStream(feed.row, m)
  if (row) ((feed.row = row), fx.changed())
}

/** Applies one market message of `feed` (the chart's own symbol when `chart` is given), or holds it while the chart is not synced. */
export function applyInSequence(
  feed: Feed,
  chart: ChartState | null,
  m: MarketMessage,
  now: number,
  fx: ModelEffects,
): void {
  if (chart && chart.phase !== 'synced') return hold(chart, m, fx.bufferLimit)
  const verdict = checkSequence(feed.cursor, m.epoch, m.seq)
  if (verdict === 'stale') {
    fx.counters.stale++
    return
  }
  if (!isApplicable(verdict)) {
    fx.counters[verdict === 'gap' ? 'gaps' : 'epochChanges']++
    if (chart) {
      // Continuity is lost: this message and everything after it wait for the backfill.
      hold(chart, m, fx.bufferLimit)
      return setPhase(chart, 'needs_recovery', fx)
    }
    // A row is whole state, not a delta: it needs no backfill.
  }
  feed.cursor = { epoch: m.epoch, seq: m.seq }
  apply(feed, chart, m, fx)
  if (chart) chart.goodUntil = now
}

function apply(feed: Feed, chart: ChartState | null, m: MarketMessage, fx: ModelEffects): void {
  fx.counters.applied++
  const row = rowFromStream(feed.row, m)
  if (row) ((feed.row = row), fx.changed())
  if (!chart || m.type === 'snapshot' || m.type === 'quote' || m.type === 'no_bar') return
  const before = chart.minutes
  chart.minutes = m.type === 'bar' ? mergeStreamBar(before, m.data, m.event_ts) : applyTrade(before, m.data)
  if (chart.minutes !== before) touch(chart, fx)
}

/**
 * Applies held messages in arrival order. Those received before the REST request are covered
 * by it, so only their order matters; after it, a gap or a new epoch means another backfill.
 */
export function drainHeld(chart: ChartState, feed: Feed | undefined, fx: ModelEffects): void {
  const held = chart.held
  chart.held = []
  setPhase(chart, 'synced', fx)
  if (!feed) return
  for (let i = 0; i < held.length; i++) {
    const { message: m, afterRequest } = held[i]
    const verdict = checkSequence(feed.cursor, m.epoch, m.seq)
    if (verdict === 'stale') {
      fx.counters.stale++
      continue
    }
    if (afterRequest && !isApplicable(verdict)) {
      fx.counters[verdict === 'gap' ? 'gaps' : 'epochChanges']++
      chart.held = held.slice(i)
      return setPhase(chart, 'needs_recovery', fx)
    }
    feed.cursor = { epoch: m.epoch, seq: m.seq }
    apply(feed, chart, m, fx)
  }
}
