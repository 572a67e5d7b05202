/** Deterministic simulated US stock market: trades, minute/day bars and snapshots as pure functions of (ticker, time), by the exchange calendar or around the clock. */

import { accumulatorToBar, openAccumulator, type BarAccumulator } from '../../core/bars.ts'
import { scheduleOfIndex } from '../../core/calendar.ts'
import { MINUTE_MS, nyDayIndex, nyDayStartOfIndex } from '../../core/market-time.ts'
import { snapshotFigures } from '../../core/snapshot-figures.ts'
import { accumulateDayTrade, minuteRules } from '../../core/trade-conditions.ts'
import { adjustBar } from '../../core/splits.ts'
import { NotFoundError } from '../../errors.ts'
import type { Bar, Trade, UpstreamSnapshot } from '../../ports/upstream.ts'
import { fillMinuteTrades, tickerModel, tradeRateOf, type MarketHours, type TickerModel, type TradeRate } from './trade-model.ts'
import { minuteSessionOf, type SessionOf } from './trade-kinds.ts'
import {
  accumulateFilled,
  KIND_ELIGIBILITY,
  minuteTape,
  scratchKinds,
  scratchPrices,
  scratchSizes,
  scratchTimes,
  tradeOf,
  type MinuteTape,
} from './minute-tape.ts'

export {
  findSimulatedTicker,
  isKnownTicker,
  searchSimulatedTickers,
  simulatedUniverse,
  type SimulatedTicker,
} from './universe.ts'
export type { MarketHours } from './trade-model.ts'
export type { MinuteTape } from './minute-tape.ts'
import { adjustmentAsOf } from './splits.ts'

/** The simulated market under one MarketHours setting; every function is pure in (ticker, time). */
export interface SimulatedMarket {
  readonly hours: MarketHours
  /**
   * Trades of `ticker` with fromMs <= t < toMs, ascending by t then q; [] for an unknown ticker.
   * `q` = minuteIndex × 256 + position within the minute, so it increases strictly per ticker.
   */
  tradesBetween(ticker: string, fromMs: number, toMs: number): Trade[]
  /**
   * Minute bars of `ticker` whose window starts in [fromMs, toMs), built from the trades with
   * t < asOfMs (the current minute is partial, later minutes do not exist). Empty minutes have no bar.
   * Split-adjusted as of asOfMs (splits.ts), as the provider's `adjusted=true`; trades are as they printed.
   */
  minuteBars(ticker: string, fromMs: number, toMs: number, asOfMs: number): Bar[]
  /**
   * Day bars of `ticker` whose NY day starts in [fromMs, toMs), each the exact aggregate of that
   * day's minute bars with trades before asOfMs (today is partial, later days do not exist); a day
   * without trades (by the calendar: every day that is not a trading day) has no bar.
   * Split-adjusted as of asOfMs, like minuteBars.
   */
  dayBars(ticker: string, fromMs: number, toMs: number, asOfMs: number): Bar[]
  /**
   * Snapshot of `ticker` at nowMs; throws NotFoundError (TICKER_NOT_FOUND) for an unknown ticker.
   * last = price of the last trade at or before now; prevClose = close of the latest earlier NY
   * day's bar (its close is the regular session's last trade); change and changePct by
   * core/snapshot-figures.ts (unrounded last − prevClose, rounded once); updatedAt = the last trade's t; day =
   * today's partial bar including trades at now (absent before today's first trade).
   */
  snapshotAt(ticker: string, nowMs: number): UpstreamSnapshot
  /**
   * One ticker's trades minute by minute, for a live feed that reads a little of the same minute
   * on every tick (null for an unknown ticker): each minute is computed once, where tradesBetween
   * computes the whole minute again on every call. Trades and bars are exactly tradesBetween's and
   * minuteBars'.
   */
  tape(ticker: string): MinuteTape | null
  /** Forget every memoized bar (results do not change). */
  clearCaches(): void
}


/** How far back snapshotAt looks for a last trade and a previous day's bar. */
const LAST_TRADE_LOOKBACK_MINUTES = 7 * 1440
const PREV_DAY_LOOKBACK_DAYS = 14
/** Memoized completed-day bars (LRU) per market, ≈ 150 bytes each. */
const DAY_MEMO_LIMIT = 50_000

/** The part of a NY day in which trades can happen, as minute indexes [from, to); null: none that day. */
type ActiveMinutes = (dayIndex: number) => [from: number, to: number] | null

/** A day bar's accumulator (core/trade-conditions.ts accumulateDayTrade: regular-session prices, the whole day's volume). */
type DayAccumulator = BarAccumulator

/** The day bar of a day accumulator, or null before a regular-session price. */
const dayBarOf = accumulatorToBar

const activeMinutesOf: Record<MarketHours, ActiveMinutes> = {
  // Pre-market to the end of post-market on trading days: the calendar rate is 0 everywhere else.
  calendar: (dayIndex) => {
    const s = scheduleOfIndex(dayIndex)
    return s && [s.preOpen / MINUTE_MS, s.postClose / MINUTE_MS]
  },
  always: (dayIndex) => [nyDayStartOfIndex(dayIndex) / MINUTE_MS, nyDayStartOfIndex(dayIndex + 1) / MINUTE_MS],
}

function createSimulatedMarket(hours: MarketHours): SimulatedMarket {
  const rate: TradeRate = tradeRateOf(hours)
  const activeMinutes = activeMinutesOf[hours]
  const session: SessionOf = minuteSessionOf(hours)
  const isRegular = (m: number) => session(m * MINUTE_MS) !== 'extended'

  /** Reset `acc` to minute m and add that minute's trades with t < asOfMs. */
  function accumulateMinute(model: TickerModel, m: number, asOfMs: number, acc: BarAccumulator): void {
    const count = fillMinuteTrades(model, rate, session, m, scratchTimes, scratchPrices, scratchSizes, scratchKinds)
    accumulateFilled(acc, m, count, scratchTimes, scratchPrices, scratchSizes, scratchKinds, isRegular(m), asOfMs)
  }

  function tape(ticker: string): MinuteTape | null {
    const model = tickerModel(ticker)
    return model ? minuteTape(ticker, model, rate, session, isRegular) : null
  }

  /** Add the trades of minutes [fromMinute, toMinute) with t < asOfMs to a day accumulator, by their condition rules. */
  function accumulateMinutesIntoDay(
    model: TickerModel,
    fromMinute: number,
    toMinute: number,
    asOfMs: number,
    day: DayAccumulator,
  ): void {
    for (let m = fromMinute; m < toMinute; m++) {
      const count = fillMinuteTrades(model, rate, session, m, scratchTimes, scratchPrices, scratchSizes, scratchKinds)
      const regular = isRegular(m)
      for (let j = 0; j < count && scratchTimes[j] < asOfMs; j++)
        accumulateDayTrade(day, scratchPrices[j], scratchSizes[j], KIND_ELIGIBILITY[scratchKinds[j]], regular)
    }
  }

  function tradesBetween(ticker: string, fromMs: number, toMs: number): Trade[] {
    const model = tickerModel(ticker)
    if (!model || !Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) return []
    const out: Trade[] = []
    const endMinute = Math.ceil(toMs / MINUTE_MS)
    for (let m = Math.floor(fromMs / MINUTE_MS); m < endMinute; m++) {
      const count = fillMinuteTrades(model, rate, session, m, scratchTimes, scratchPrices, scratchSizes, scratchKinds)
      for (let j = 0; j < count; j++) {
        const t = scratchTimes[j]
        if (t < fromMs) continue
        if (t >= toMs) break
        out.push(tradeOf(ticker, m, j, scratchTimes, scratchPrices, scratchSizes, scratchKinds))
      }
    }
    return out
  }

  function minuteBars(ticker: string, fromMs: number, toMs: number, asOfMs: number): Bar[] {
    const model = tickerModel(ticker)
    const limit = Math.min(toMs, asOfMs)
    if (!model || !Number.isFinite(fromMs) || !Number.isFinite(limit)) return []
    const out: Bar[] = []
    const acc = openAccumulator(0)
    const endMinute = Math.ceil(limit / MINUTE_MS)
    for (let m = Math.ceil(fromMs / MINUTE_MS); m < endMinute; m++) {
      accumulateMinute(model, m, asOfMs, acc)
      const bar = accumulatorToBar(acc)
      if (bar) out.push(adjustBar(bar, adjustmentAsOf(ticker, bar.t, asOfMs)))
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
    const active = activeMinutes(dayIndex)
    if (!active) return null
    const day: DayAccumulator = openAccumulator(nyDayStartOfIndex(dayIndex))
    accumulateMinutesIntoDay(model, active[0], active[1], Infinity, day)
    const bar = dayBarOf(day)
    completedDays.set(key, bar)
    if (completedDays.size > DAY_MEMO_LIMIT) completedDays.delete(completedDays.keys().next().value!)
    return bar && { ...bar }
  }

  // Per ticker, the day accumulator over the current day's completed minutes, extended as time
  // moves on, so repeated snapshots of "today" cost one minute each rather than a whole day.
  interface DayPrefix {
    dayStart: number
    /** Minutes before this one (minute index) are in day. */
    throughMinute: number
    day: DayAccumulator
  }
  const dayPrefixes = new Map<string, DayPrefix>()

  /** The bar of a NY day [dayStart, dayEnd) as of asOfMs (dayStart < asOfMs < dayEnd allowed to be partial). */
  function partialDayBar(model: TickerModel, dayStart: number, dayEnd: number, asOfMs: number): Bar | null {
    const completeUntil = Math.min(Math.floor(asOfMs / MINUTE_MS), dayEnd / MINUTE_MS)
    let prefix = dayPrefixes.get(model.ticker)
    if (!prefix || prefix.dayStart !== dayStart || prefix.throughMinute > completeUntil) {
      prefix = { dayStart, throughMinute: dayStart / MINUTE_MS, day: openAccumulator(dayStart) }
      dayPrefixes.set(model.ticker, prefix)
    }
    accumulateMinutesIntoDay(model, prefix.throughMinute, completeUntil, Infinity, prefix.day)
    prefix.throughMinute = completeUntil
    const day: DayAccumulator = { ...prefix.day }
    if (completeUntil * MINUTE_MS < dayEnd)
      accumulateMinutesIntoDay(model, completeUntil, completeUntil + 1, asOfMs, day)
    return dayBarOf(day)
  }

  function dayBars(ticker: string, fromMs: number, toMs: number, asOfMs: number): Bar[] {
    const model = tickerModel(ticker)
    const limit = Math.min(toMs, asOfMs)
    if (!model || !Number.isFinite(fromMs) || !Number.isFinite(limit)) return []
    const out: Bar[] = []
    let day = nyDayIndex(fromMs)
    if (nyDayStartOfIndex(day) < fromMs) day++
    for (let start = nyDayStartOfIndex(day); start < limit; day++) {
      const end = nyDayStartOfIndex(day + 1)
      const bar = asOfMs >= end ? completedDayBar(model, day) : partialDayBar(model, start, end, asOfMs)
      if (bar) out.push(adjustBar(bar, adjustmentAsOf(ticker, bar.t, asOfMs)))
      start = end
    }
    return out
  }

  /** The last trade with t <= nowMs that may set the last price (by its conditions) within the lookback, or null; skips the hours of each day without trading. */
  function lastTradeAtOrBefore(model: TickerModel, nowMs: number): Trade | null {
    const nowMinute = Math.floor(nowMs / MINUTE_MS)
    const oldest = nowMinute - LAST_TRADE_LOOKBACK_MINUTES + 1
    for (let day = nyDayIndex(nowMs); ; day--) {
      const active = activeMinutes(day)
      if (active && active[1] > oldest) {
        for (let m = Math.min(nowMinute, active[1] - 1); m >= Math.max(active[0], oldest); m--) {
          const count = fillMinuteTrades(model, rate, session, m, scratchTimes, scratchPrices, scratchSizes, scratchKinds)
          const regular = isRegular(m)
          for (let j = count - 1; j >= 0; j--) {
            if (scratchTimes[j] > nowMs || !minuteRules(KIND_ELIGIBILITY[scratchKinds[j]], !regular).openClose) continue
            return tradeOf(model.ticker, m, j, scratchTimes, scratchPrices, scratchSizes, scratchKinds)
          }
        }
      }
      if (nyDayStartOfIndex(day) / MINUTE_MS <= oldest) return null
    }
  }

  function snapshotAt(ticker: string, nowMs: number): UpstreamSnapshot {
    const model = tickerModel(ticker)
    if (!model) throw new NotFoundError('TICKER_NOT_FOUND', `unknown ticker ${ticker}`, { ticker })
    const today = nyDayIndex(nowMs)
    let prevBar: Bar | null = null
    for (let d = today - 1; !prevBar && d >= today - PREV_DAY_LOOKBACK_DAYS; d--) prevBar = completedDayBar(model, d)
    const lastTrade = lastTradeAtOrBefore(model, nowMs)
    // Across a split both are on today's scale, as the provider's adjusted prevDay is.
    const prevBarClose = prevBar && prevBar.c / adjustmentAsOf(ticker, prevBar.t, nowMs)
    const lastPrice = lastTrade && lastTrade.p / adjustmentAsOf(ticker, lastTrade.t, nowMs)
    const prevClose = prevBarClose ?? lastPrice ?? model.basePrice
    const last = lastPrice ?? prevClose
    const { change, changePct } = snapshotFigures(last, prevClose)
    const snapshot: UpstreamSnapshot = {
      ticker,
      last,
      prevClose,
      change,
      changePct,
      updatedAt: lastTrade?.t ?? nowMs,
    }
    const dayBar = partialDayBar(model, nyDayStartOfIndex(today), nyDayStartOfIndex(today + 1), nowMs + 1)
    if (dayBar) snapshot.day = { o: dayBar.o, h: dayBar.h, l: dayBar.l, c: dayBar.c, v: dayBar.v, vw: dayBar.vw }
    return snapshot
  }

  return {
    hours,
    tradesBetween,
    minuteBars,
    dayBars,
    snapshotAt,
    tape,
    clearCaches() {
      completedDays.clear()
      dayPrefixes.clear()
    },
  }
}

const markets: Record<MarketHours, SimulatedMarket> = {
  calendar: createSimulatedMarket('calendar'),
  always: createSimulatedMarket('always'),
}

/** The simulated market under a MarketHours setting (one shared instance each, with its memos). */
export function simulatedMarket(hours: MarketHours = 'calendar'): SimulatedMarket {
  return markets[hours]
}

/** The calendar market's functions (the default the local Massive server and most tests use). */
export const { tradesBetween, minuteBars, dayBars, snapshotAt } = markets.calendar

/** Forget every memoized bar of both markets (for cold-start measurements in tests; results do not change). */
export function clearMarketCaches(): void {
  for (const market of Object.values(markets)) market.clearCaches()
}
