/** The simulated market's sale conditions: what kind of print each trade is (its condition ids), and where a minute lies in its day's sessions. */

import { scheduleOfIndex, type DaySchedule } from '../../core/calendar.ts'
import { DAY_MS, MINUTE_MS, nyDayIndex, nyWallMs } from '../../core/market-time.ts'
import { REGULAR_CLOSE_MINUTE, REGULAR_OPEN_MINUTE } from '../../core/sessions.ts'
import type { MarketHours } from './trade-model.ts'

// One-entry memo of the last New York day's schedule: consecutive minutes nearly always share a day.
let memoDay = Number.NaN
let memoSchedule: DaySchedule | null = null

/** The schedule of the New York day of `minuteStartMs` (null when the market does not open), memoised for the last day asked. */
export function scheduleOfMinute(minuteStartMs: number): DaySchedule | null {
  const dayIndex = nyDayIndex(minuteStartMs)
  if (dayIndex !== memoDay) {
    memoSchedule = scheduleOfIndex(dayIndex)
    memoDay = dayIndex
  }
  return memoSchedule
}

/** Where a minute lies in its day's sessions: extended hours (Form T prints), the regular session, or its first or last minute (opening/closing prints). */
export type MinuteSession = 'extended' | 'regular' | 'opening' | 'closing'
export type SessionOf = (minuteStartMs: number) => MinuteSession

/** By the calendar: 09:30 to the day's close is regular, the rest of the trading day extended hours. */
export function calendarMinuteSession(minuteStartMs: number): MinuteSession {
  const s = scheduleOfMinute(minuteStartMs)
  if (s === null || minuteStartMs < s.open || minuteStartMs >= s.close) return 'extended'
  if (minuteStartMs === s.open) return 'opening'
  return minuteStartMs === s.close - MINUTE_MS ? 'closing' : 'regular'
}

/** Around the clock every minute is regular, with the auction prints at 09:30 and 15:59 New York as on a trading day. */
export function alwaysOpenMinuteSession(minuteStartMs: number): MinuteSession {
  const wall = nyWallMs(minuteStartMs)
  const minuteOfDay = (wall - Math.floor(wall / DAY_MS) * DAY_MS) / MINUTE_MS
  if (minuteOfDay === REGULAR_OPEN_MINUTE) return 'opening'
  return minuteOfDay === REGULAR_CLOSE_MINUTE - 1 ? 'closing' : 'regular'
}

/** The session function of a MarketHours setting. */
export function minuteSessionOf(hours: MarketHours): SessionOf {
  return hours === 'always' ? alwaysOpenMinuteSession : calendarMinuteSession
}

/**
 * What a simulated print is, by its sale conditions (TRADE_CONDITIONS[kind], market-rules.md
 * §3.2): a regular sale, an odd lot (under 100 shares, 37), an average-price block (2) or an
 * out-of-sequence report (32; 13 in extended hours) priced away from the market, the opening (25)
 * and closing (8) auction prints with the listing market's official open (16) and close (15)
 * markers after them (no volume), Form T (12) in extended hours, intermarket sweeps (14).
 */
export const TradeKind = {
  Regular: 0,
  OddLot: 1,
  AveragePrice: 2,
  OutOfSequence: 3,
  OpeningPrint: 4,
  ClosingPrint: 5,
  FormT: 6,
  FormTOddLot: 7,
  ExtendedOutOfSequence: 8,
  Sweep: 9,
  SweepOddLot: 10,
  OfficialOpen: 11,
  OfficialClose: 12,
} as const

/** Condition ids of each TradeKind (undefined: a regular sale carries none). */
export const TRADE_CONDITIONS: readonly (readonly number[] | undefined)[] = [
  undefined,
  [37],
  [2],
  [32],
  [25],
  [8],
  [12],
  [12, 37],
  [13],
  [14],
  [14, 37],
  [16],
  [15],
]
