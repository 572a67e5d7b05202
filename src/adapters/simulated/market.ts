/** Deterministic simulated US stock market: trades, minute/day bars and snapshots as pure functions of (ticker, time). */

import { accumulateBar, accumulateTrade, accumulatorToBar, openAccumulator, type BarAccumulator } from '../../core/bars.ts'
import { MINUTE_MS, nyDayIndex, nyDayStartOfIndex } from '../../core/market-time.ts'
import { NotFoundError } from '../../errors.ts'
import type { Bar, Trade, UpstreamSnapshot } from '../../core/market-types.ts'
import { fillMinuteTrades, MAX_TRADES_PER_MINUTE, tickerModel, type TickerModel } from './trade-model.ts'

export { findSimulatedTicker, isKnownTicker, simulatedUniverse, type SimulatedTicker } from './universe.ts'

// Scratch buffers for one minute of trades; every function here is synchronous, so a call
// fills and consumes them before any other call can run.
const scratchTimes = new Float64Array(MAX_TRADES_PER_MINUTE)
const scratchPrices = new Float64Array(MAX_TRADES_PER_MINUTE)
const scratchSizes = new Int32Array(MAX_TRADES_PER_MINUTE)

/** How far back snapshotAt looks for a last trade and a previous day's bar. */
const LAST_TRADE_LOOKBACK_MINUTES = 7 * 1440
const PREV_DAY_LOOKBACK_DAYS = 14
/** Memoized completed-day bars (LRU), ≈ 150 bytes each. */
const DAY_MEMO_LIMIT = 50_000

/**
 * Trades of `ticker` with fromMs <= t < toMs, ascending by t then q; [] for an unknown ticker.
 * `q` = minuteIndex × 256 + position within the minute, so it increases strictly per ticker.
 */
export function tradesBetween(ticker: string, fromMs: number, toMs: number): Trade[] {
  const model = tickerModel(ticker)
  if (!model || !Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) return []
  const out: Trade[] = []
  const endMinute = Math.ceil(toMs / MINUTE_MS)
  for (let m = Math.floor(fromMs / MINUTE_MS); m < endMinute; m++) {
    const count = fillMinuteTrades(model, m, scratchTimes, scratchPrices, scratchSizes)
    for (let j = 0; j < count; j++) {
      const t = scratchTimes[j]
      if (t < fromMs) continue
      if (t >= toMs) break
      out.push({ symbol: ticker, p: scratchPrices[j], s: scratchSizes[j], t, q: m * MAX_TRADES_PER_MINUTE + j })
    }
  }
  return out
}

/** Reset `acc` to minute m and add that minute's trades with t < asOfMs. */
function accumulateMinute(model: TickerModel, m: number, asOfMs: number, acc: BarAccumulator): void {
  acc.t = m * MINUTE_MS
  acc.o = acc.h = acc.l = acc.c = acc.v = acc.n = acc.pv = 0
  const count = fillMinuteTrades(model, m, scratchTimes, scratchPrices, scratchSizes)
  for (let j = 0; j < count && scratchTimes[j] < asOfMs; j++) accumulateTrade(acc, scratchPrices[j], scratchSizes[j])
}

/** Add the minute bars of minutes [fromMinute, toMinute) (trades before asOfMs) to a day accumulator. */
function accumulateMinutesIntoDay(
  model: TickerModel,
  fromMinute: number,
  toMinute: number,
  asOfMs: number,
  dayAcc: BarAccumulator,
): void {
  const minuteAcc = openAccumulator(0)
  for (let m = fromMinute; m < toMinute; m++) {
    accumulateMinute(model, m, asOfMs, minuteAcc)
    const bar = accumulatorToBar(minuteAcc)
    if (bar) accumulateBar(dayAcc, bar)
  }
}

/**
 * Minute bars of `ticker` whose window starts in [fromMs, toMs), built from the trades with
 * t < asOfMs (the current minute is partial, later minutes do not exist). Empty minutes have no bar.
 */
export function minuteBars(ticker: string, fromMs: number, toMs: number, asOfMs: number): Bar[] {
  const model = tickerModel(ticker)
  const limit = Math.min(toMs, asOfMs)
  if (!model || !Number.isFinite(fromMs) || !Number.isFinite(limit)) return []
  const out: Bar[] = []
  const acc = openAccumulator(0)
  const endMinute = Math.ceil(limit / MINUTE_MS)
  for (let m = Math.ceil(fromMs / MINUTE_MS); m < endMinute; m++) {
    accumulateMinute(model, m, asOfMs, acc)
    const bar = accumulatorToBar(acc)
    if (bar) out.push(bar)
  }
  return out
}

// Completed days never change: LRU memo keyed by ticker and NY day number.
const completedDays = new Map<string, Bar | null>()

/** The bar of a NY day that has fully passed (aggregate of all its minute bars), or null without trades. */
function completedDayBar(model: TickerModel, dayIndex: number): Bar | null {
  const key = `${model.ticker}|${dayIndex}`
  const cached = completedDays.get(key)
  if (cached !== undefined) {
    completedDays.delete(key)
    completedDays.set(key, cached)
    return cached && { ...cached }
  }
  const start = nyDayStartOfIndex(dayIndex)
  const end = nyDayStartOfIndex(dayIndex + 1)
  const acc = openAccumulator(start)
  accumulateMinutesIntoDay(model, start / MINUTE_MS, end / MINUTE_MS, Infinity, acc)
  const bar = accumulatorToBar(acc)
  completedDays.set(key, bar)
  if (completedDays.size > DAY_MEMO_LIMIT) completedDays.delete(completedDays.keys().next().value!)
  return bar && { ...bar }
}

// Per ticker, the day accumulator over the current day's completed minutes, extended as time
// moves on, so repeated snapshots of "today" cost one minute each rather than a whole day.
interface DayPrefix {
  dayStart: number
  /** Minutes before this one (minute index) are in acc. */
  throughMinute: number
  acc: BarAccumulator
}
const dayPrefixes = new Map<string, DayPrefix>()

/** The bar of a NY day [dayStart, dayEnd) as of asOfMs (dayStart < asOfMs < dayEnd allowed to be partial). */
function partialDayBar(model: TickerModel, dayStart: number, dayEnd: number, asOfMs: number): Bar | null {
  const completeUntil = Math.min(Math.floor(asOfMs / MINUTE_MS), dayEnd / MINUTE_MS)
  let prefix = dayPrefixes.get(model.ticker)
  if (!prefix || prefix.dayStart !== dayStart || prefix.throughMinute > completeUntil) {
    prefix = { dayStart, throughMinute: dayStart / MINUTE_MS, acc: openAccumulator(dayStart) }
    dayPrefixes.set(model.ticker, prefix)
  }
  accumulateMinutesIntoDay(model, prefix.throughMinute, completeUntil, Infinity, prefix.acc)
  prefix.throughMinute = completeUntil
  const acc = { ...prefix.acc }
  if (completeUntil * MINUTE_MS < dayEnd) accumulateMinutesIntoDay(model, completeUntil, completeUntil + 1, asOfMs, acc)
  return accumulatorToBar(acc)
}

/**
 * Day bars of `ticker` whose NY day starts in [fromMs, toMs), each the exact aggregate of that
 * day's minute bars with trades before asOfMs (today is partial, later days do not exist).
 * Completed days are memoized.
 */
export function dayBars(ticker: string, fromMs: number, toMs: number, asOfMs: number): Bar[] {
  const model = tickerModel(ticker)
  const limit = Math.min(toMs, asOfMs)
  if (!model || !Number.isFinite(fromMs) || !Number.isFinite(limit)) return []
  const out: Bar[] = []
  let day = nyDayIndex(fromMs)
  if (nyDayStartOfIndex(day) < fromMs) day++
  for (let start = nyDayStartOfIndex(day); start < limit; day++) {
    const end = nyDayStartOfIndex(day + 1)
    const bar = asOfMs >= end ? completedDayBar(model, day) : partialDayBar(model, start, end, asOfMs)
    if (bar) out.push(bar)
    start = end
  }
  return out
}

/** The last trade with t <= nowMs within the lookback, or null. */
function lastTradeAtOrBefore(model: TickerModel, nowMs: number): Trade | null {
  const nowMinute = Math.floor(nowMs / MINUTE_MS)
  for (let m = nowMinute; m > nowMinute - LAST_TRADE_LOOKBACK_MINUTES; m--) {
    const count = fillMinuteTrades(model, m, scratchTimes, scratchPrices, scratchSizes)
    for (let j = count - 1; j >= 0; j--) {
      if (scratchTimes[j] > nowMs) continue
      const q = m * MAX_TRADES_PER_MINUTE + j
      return { symbol: model.ticker, p: scratchPrices[j], s: scratchSizes[j], t: scratchTimes[j], q }
    }
  }
  return null
}

/**
 * Snapshot of `ticker` at nowMs; throws NotFoundError (TICKER_NOT_FOUND) for an unknown ticker. last = price of the last
 * trade at or before now; prevClose = close of the previous NY day's bar; change = last -
 * prevClose rounded to cents; changePct = change / prevClose × 100 rounded to 3 decimals (as the
 * provider's examples); updatedAt = the last trade's t; day = today's partial bar including
 * trades at now (absent before today's first trade).
 */
export function snapshotAt(ticker: string, nowMs: number): UpstreamSnapshot {
  const model = tickerModel(ticker)
  if (!model) throw new NotFoundError('TICKER_NOT_FOUND', `unknown ticker ${ticker}`, { ticker })
  const today = nyDayIndex(nowMs)
  let prevBar: Bar | null = null
  for (let d = today - 1; !prevBar && d >= today - PREV_DAY_LOOKBACK_DAYS; d--) prevBar = completedDayBar(model, d)
  const lastTrade = lastTradeAtOrBefore(model, nowMs)
  const prevClose = prevBar?.c ?? lastTrade?.p ?? model.basePrice
  const last = lastTrade?.p ?? prevClose
  const change = Math.round((last - prevClose) * 100) / 100
  const changePct = Math.round((change / prevClose) * 100 * 1000) / 1000
  const snapshot: UpstreamSnapshot = {
    ticker,
    last,
    prevClose,
    change,
    changePct,
    updatedAt: lastTrade?.t ?? nowMs,
  }
  const dayBar = partialDayBar(model, nyDayStartOfIndex(today), nyDayStartOfIndex(today + 1), nowMs + 1)
  if (dayBar) snapshot.day = { o: dayBar.o, h: dayBar.h, l: dayBar.l, c: dayBar.c, v: dayBar.v }
  return snapshot
}

/** Forget every memoized bar (for cold-start measurements in tests; results do not change). */
export function clearMarketCaches(): void {
  completedDays.clear()
  dayPrefixes.clear()
}
