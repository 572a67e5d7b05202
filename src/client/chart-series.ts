/** Pure chart series math: the timespan choices, what to load for each, and the displayed bars (history + re-aggregated minutes). */
import { aggregateBars } from '../core/bars.ts'
import { bucketStart, DAY_MS, HOUR_MS } from '../core/market-time.ts'
import type { Timespan } from '../core/market-types.ts'
import { dropBefore, minuteMs, toWireBar, type MinuteBar } from './minute-bars'
import type { WireBar } from './wire'

export type ChartTimespan = '1m' | '5m' | '15m' | '30m' | '1h' | '4h' | '1d' | '1w'

export interface TimespanSpec {
  key: ChartTimespan
  timespan: Timespan
  multiplier: number
  /** How far back the chart's history reaches when loaded. */
  historyMs: number
  /** How far back each "older history" page reaches: within the bars API's widest span for the timespan, with room for a DST hour and the bucket floor. */
  pageMs: number
}

const spec = (key: ChartTimespan, timespan: Timespan, multiplier: number, historyMs: number, pageMs: number) => ({
  key,
  timespan,
  multiplier,
  historyMs,
  pageMs,
})

/** The chart's timeframes, shortest first (the page's buttons and keys 1-8 follow this order). */
export const chartTimespans: Record<ChartTimespan, TimespanSpec> = {
  '1m': spec('1m', 'minute', 1, 8 * HOUR_MS, DAY_MS),
  '5m': spec('5m', 'minute', 5, 3 * DAY_MS, 3 * DAY_MS),
  '15m': spec('15m', 'minute', 15, 5 * DAY_MS, 6 * DAY_MS),
  '30m': spec('30m', 'minute', 30, 6 * DAY_MS, 6 * DAY_MS),
  '1h': spec('1h', 'hour', 1, 60 * DAY_MS, 30 * DAY_MS),
  '4h': spec('4h', 'hour', 4, 89 * DAY_MS, 89 * DAY_MS),
  '1d': spec('1d', 'day', 1, 730 * DAY_MS, 365 * DAY_MS),
  '1w': spec('1w', 'week', 1, 260 * 7 * DAY_MS, 260 * 7 * DAY_MS),
}

/** An empty stretch of at least this long before the earliest bar means the data has ended (longer than any market closure). */
export const historyEndGapMs = 7 * DAY_MS

export const isChartTimespan = (v: unknown): v is ChartTimespan => typeof v === 'string' && v in chartTimespans

/**
 * What a chart needs from REST. Minute bars cover [coverageFrom, now] and every bucket from
 * coverageFrom on is rebuilt from them (so live minute updates re-aggregate with the server's
 * bucket rules); older buckets come as `spec` bars from historyFrom (none for 1m, where the
 * minute store is the whole chart).
 */
export interface ChartPlan {
  spec: TimespanSpec
  historyFrom: number | null
  coverageFrom: number
}

export function planChart(spec: TimespanSpec, now: number, windowMs: number): ChartPlan {
  if (spec.timespan === 'minute' && spec.multiplier === 1) {
    return { spec, historyFrom: null, coverageFrom: floorMinute(now - spec.historyMs) }
  }
  const coverageFrom = bucketOf(spec, now - windowMs)
  const historyFrom = bucketOf(spec, now - spec.historyMs)
  return { spec, historyFrom: historyFrom < coverageFrom ? historyFrom : null, coverageFrom }
}

export const floorMinute = (t: number) => Math.floor(t / minuteMs) * minuteMs
const bucketOf = (spec: TimespanSpec, t: number) => bucketStart(spec.timespan, spec.multiplier, t)

/** The bars the chart shows: history before coverageFrom, then the minute store aggregated into spec buckets. */
export function displayBars(
  spec: TimespanSpec,
  history: readonly WireBar[],
  coverageFrom: number,
  minutes: readonly MinuteBar[],
): WireBar[] {
  const older: WireBar[] = []
  for (const b of history) if (b.t < coverageFrom) older.push(b)
  const plain = minutes.map(toWireBar)
  if (spec.timespan === 'minute' && spec.multiplier === 1) return older.concat(plain)
  return older.concat(aggregateBars(plain, spec.timespan, spec.multiplier))
}

/**
 * Keeps the minute store bounded: past `maxMinutes`, whole buckets older than the recovery
 * window are folded into history and their minutes dropped. Returns null when nothing changes.
 */
export function compactChart(
  spec: TimespanSpec,
  history: readonly WireBar[],
  coverageFrom: number,
  minutes: readonly MinuteBar[],
  now: number,
  windowMs: number,
  maxMinutes: number,
): { history: WireBar[]; coverageFrom: number; minutes: readonly MinuteBar[] } | null {
  if (minutes.length <= maxMinutes) return null
  const isOneMinute = spec.timespan === 'minute' && spec.multiplier === 1
  const next = isOneMinute ? minutes[minutes.length - maxMinutes].t : bucketOf(spec, now - windowMs)
  if (next <= coverageFrom) return null
  const folded = isOneMinute
    ? []
    : aggregateBars(minutes.filter((m) => m.t < next).map(toWireBar), spec.timespan, spec.multiplier)
  const kept = history.filter((b) => b.t < coverageFrom).concat(folded)
  return { history: kept, coverageFrom: next, minutes: dropBefore(minutes, next) }
}
