/** The charted symbol's state: its plan, bars, sync phase and the stream messages held while it is not synced. */
import { bucketStart } from '../core/market-time.ts'
import { compactChart, displayBars, historyEndGapMs, type ChartPlan, type TimespanSpec } from './chart-series'
import type { MinuteBar } from './minute-bars'
import type { MarketMessage, WireBar } from './wire'

/**
 * 'loading': first REST load in flight; 'awaiting_subscription': waiting for the server to
 * confirm the subscription; 'needs_recovery' / 'recovering': a backfill is due / in flight;
 * 'synced': stream messages apply directly. In every phase but 'synced' messages are held.
 */
export type ChartPhase = 'loading' | 'awaiting_subscription' | 'needs_recovery' | 'recovering' | 'synced'

export interface HeldMessage {
  message: MarketMessage
  /** Received after the current REST request started (so REST may not include it, and gaps matter). */
  afterRequest: boolean
}

export interface ChartState {
  symbol: string
  plan: ChartPlan
  /** Bumped on every reload, so a late REST answer for an older chart is ignored. */
  generation: number
  history: WireBar[]
  minutes: readonly MinuteBar[]
  phase: ChartPhase
  /** The subscription was confirmed while the first load was in flight (so the load may miss messages). */
  confirmedDuringLoad: boolean
  held: HeldMessage[]
  /** Server time (as estimated) up to which the minutes are known good (last applied message or REST fill). */
  goodUntil: number
  revision: number
  /** Older history: the next page ends just before this instant; 'loading' while a page is in flight, 'ended' once the data ran out. */
  older: { before: number; state: 'idle' | 'loading' | 'ended'; emptyMs: number }
}

/** A REST request the shell should make for the chart, answered with applyChartLoad / applyRecovery. */
export interface ChartRequest {
  symbol: string
  generation: number
  spec: TimespanSpec
  /** Spec-bar history range [historyFrom, coverageFrom), or null. */
  historyFrom: number | null
  coverageFrom: number
  /** Minute bars are fetched from here to now. */
  minutesFrom: number
}

export function newChart(symbol: string, plan: ChartPlan, generation: number, now: number): ChartState {
  return {
    symbol,
    plan,
    generation,
    history: [],
    minutes: [],
    phase: 'loading',
    confirmedDuringLoad: false,
    held: [],
    goodUntil: now,
    revision: 0,
    older: { before: plan.historyFrom ?? plan.coverageFrom, state: 'idle', emptyMs: 0 },
  }
}

/** A page of older history for the shell to fetch (spec bars with from <= t < before), answered with applyOlder. */
export interface OlderRequest {
  symbol: string
  generation: number
  spec: TimespanSpec
  from: number
  before: number
}

/** The next older page, or null while loading, after the data ended, or before the first load finished. */
export function olderRequest(chart: ChartState): OlderRequest | null {
  if (chart.older.state !== 'idle' || chart.phase === 'loading') return null
  const { spec } = chart.plan
  const before = chart.older.before
  const from = bucketStart(spec.timespan, spec.multiplier, before - spec.pageMs)
  chart.older.state = 'loading'
  return { symbol: chart.symbol, generation: chart.generation, spec, from, before }
}

/** Puts an older page in front of the history; an empty stretch of `historyEndGapMs` or more means the data has ended. */
export function applyOlder(chart: ChartState, req: OlderRequest, bars: readonly WireBar[] | null): void {
  if (bars === null) {
    chart.older.state = 'idle'
    return
  }
  const first = chart.history[0]?.t ?? chart.plan.coverageFrom
  const older = bars.filter((b) => b.t >= req.from && b.t < Math.min(req.before, first))
  chart.history = older.concat(chart.history)
  const emptyMs = older.length ? 0 : chart.older.emptyMs + (req.before - req.from)
  chart.older = { before: req.from, state: emptyMs >= historyEndGapMs ? 'ended' : 'idle', emptyMs }
  chart.revision++
}

export function chartRequest(chart: ChartState, minutesFrom: number): ChartRequest {
  const { spec, historyFrom, coverageFrom } = chart.plan
  return { symbol: chart.symbol, generation: chart.generation, spec, historyFrom, coverageFrom, minutesFrom }
}

/** Holds a message while the chart is not synced; past `limit` the oldest is dropped (REST covers it). */
export function hold(chart: ChartState, message: MarketMessage, limit: number): void {
  const afterRequest = chart.phase === 'recovering' || chart.phase === 'loading'
  chart.held.push({ message, afterRequest })
  if (chart.held.length > limit) chart.held.shift()
}

/**
 * Where a backfill starts: `windowMs` back, or further when the chart was last known good
 * longer ago (a sleeping laptop), never before the minute store's coverage; minute-aligned.
 */
export function recoveryFrom(chart: ChartState, now: number, windowMs: number): number {
  const from = Math.min(now - windowMs, chart.goodUntil - 60_000)
  return Math.max(chart.plan.coverageFrom, Math.floor(from / 60_000) * 60_000)
}

/** Folds buckets older than the recovery window into history once minutes exceed `maxMinutes`; true when it did. */
export function compactChartState(chart: ChartState, now: number, windowMs: number, maxMinutes: number): boolean {
  const { spec, coverageFrom } = chart.plan
  const r = compactChart(spec, chart.history, coverageFrom, chart.minutes, now, windowMs, maxMinutes)
  if (!r) return false
  chart.history = r.history
  chart.minutes = r.minutes
  chart.plan = { ...chart.plan, coverageFrom: r.coverageFrom }
  return true
}

/** The chart as the page shows it. */
export interface ChartView {
  symbol: string
  spec: TimespanSpec
  phase: ChartPhase
  revision: number
  /** Ascending; what REST would answer for the same timespan. */
  bars: WireBar[]
  /** Older history: 'loading' while a page is in flight, 'ended' when there is no older data. */
  older: 'idle' | 'loading' | 'ended'
}

export function viewOf(c: ChartState): ChartView {
  const bars = displayBars(c.plan.spec, c.history, c.plan.coverageFrom, c.minutes)
  return { symbol: c.symbol, spec: c.plan.spec, phase: c.phase, revision: c.revision, bars, older: c.older.state }
}
