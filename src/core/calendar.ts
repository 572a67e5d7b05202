/**
 * US-equities exchange calendar (NYSE/Nasdaq) and session clock, in America/New_York across DST. Pure.
 *
 * Days are 'YYYY-MM-DD' New York dates (RangeError otherwise); instants are UTC ms. Each function
 * is exported bound to the rule-computed calendar (usEquityCalendar) and is a method of any
 * ExchangeCalendar, e.g. one with a provider's overrides merged in:
 *
 *   sessionAt(ms): MarketSession     { market: 'pre'|'open'|'post'|'closed', date, holiday (name of
 *                                    today's holiday or early close, else null), earlyClose, opensAt /
 *                                    closesAt (today's regular session, null if not a trading day),
 *                                    since / until (when `market` took its value and next changes) }
 *   nextOpen(ms), nextClose(ms): number         first regular open / close strictly after ms
 *   isTradingDay(day): boolean
 *   previousTradingDay(day), nextTradingDay(day): string      strictly before / after day
 *   tradingDaysBetween(fromDay, toDay): string[]               trading days in [fromDay, toDay]
 *   upcomingHolidays(ms, n): UpcomingHoliday[]   next n closed / early-close days from today (NY) on:
 *                                                { date, name, status, open, close } (times on early closes)
 *   scheduleOf(day): DaySchedule | null          { preOpen, open, close, postClose, earlyClose, holiday }
 *   scheduleOfIndex, isTradingDayIndex, previousTradingDayIndex, nextTradingDayIndex: the same by
 *                                                New York day number (market-time nyDayIndex), for hot loops
 *   exchangeCalendar(overrides: CalendarOverride[]): ExchangeCalendar    provider's word wins per day
 *
 * Sessions (market-rules.md §2.1): pre-market 04:00–09:30, regular 09:30–16:00 (13:00 on early-close
 * days), post-market until 20:00 (17:00 on early-close days), closed otherwise and all day on weekends
 * and holidays. Holidays, early closes and unscheduled closures: calendar-rules.ts (§1.1–1.3); the
 * session clock: sessions.ts.
 */

import { computedSpecialDay, type SpecialDay } from './calendar-rules.ts'
import { dateOfDayIndex, dayIndexOfDate, nyDayIndex, weekdayOfDayIndex } from './market-time.ts'
import * as clock from './sessions.ts'
import { EARLY_CLOSE_MINUTE, REGULAR_OPEN_MINUTE, nyInstant, type DaySchedule, type MarketSession } from './sessions.ts'

export type { DaySchedule, Market, MarketSession } from './sessions.ts'
export type { SpecialDay } from './calendar-rules.ts'

/** A provider's (or operator's) word on one day; it replaces whatever the rules computed for that day. */
export interface CalendarOverride {
  /** YYYY-MM-DD (New York). Weekends stay closed whatever an override says. */
  date: string
  /** The holiday's or closure's name. */
  name: string
  /** closed all day; early_close: regular session open–close; open: an ordinary full day despite the rules. */
  status: 'closed' | 'early_close' | 'open'
  /** early_close only: regular open and close, UTC ms on that New York date (default 09:30 and 13:00 New York). */
  open?: number
  close?: number
}

/** A closed or early-close day ahead, as market-status lists it; open and close (UTC ms) only on early closes. */
export interface UpcomingHoliday {
  date: string
  name: string
  status: 'closed' | 'early_close'
  open: number | null
  close: number | null
}

export interface ExchangeCalendar {
  sessionAt(tMs: number): MarketSession
  nextOpen(tMs: number): number
  nextClose(tMs: number): number
  isTradingDay(day: string): boolean
  previousTradingDay(day: string): string
  nextTradingDay(day: string): string
  tradingDaysBetween(fromDay: string, toDay: string): string[]
  upcomingHolidays(tMs: number, n: number): UpcomingHoliday[]
  scheduleOf(day: string): DaySchedule | null
  /** Same as scheduleOf, isTradingDay, previousTradingDay and nextTradingDay, by New York day number (nyDayIndex), for hot loops. */
  scheduleOfIndex(dayIndex: number): DaySchedule | null
  isTradingDayIndex(dayIndex: number): boolean
  previousTradingDayIndex(dayIndex: number): number
  nextTradingDayIndex(dayIndex: number): number
  /** The day's holiday, early close or closure (rules merged with overrides); null on ordinary days and weekends. */
  specialDayOf(dayIndex: number): SpecialDay | null
}

/** One day of the merged calendar: its holiday, early close or closure (null: an ordinary day), and an early close's times. */
export interface ResolvedDay {
  special: SpecialDay | null
  open?: number
  close?: number
}

/**
 * Checks overrides and keys them by New York day number, as the days they replace (the last entry
 * of a date wins); RangeError on a malformed one.
 */
export function overridesByDay(overrides: readonly CalendarOverride[]): Map<number, ResolvedDay> {
  const out = new Map<number, ResolvedDay>()
  for (const o of overrides) {
    const dayIndex = dayIndexOfDate(o.date)
    if (o.status === 'open') {
      out.set(dayIndex, { special: null })
      continue
    }
    if (o.status !== 'closed' && o.status !== 'early_close')
      throw new RangeError(`override ${o.date}: unknown status ${String(o.status)}`)
    if (typeof o.name !== 'string' || o.name === '') throw new RangeError(`override ${o.date}: name required`)
    const special: SpecialDay = { dayIndex, date: o.date, name: o.name, status: o.status }
    if (o.status === 'closed') {
      out.set(dayIndex, { special })
      continue
    }
    for (const t of [o.open, o.close])
      if (t !== undefined && (!Number.isFinite(t) || nyDayIndex(t) !== dayIndex))
        throw new RangeError(`override ${o.date}: open and close must be instants on that New York date`)
    const open = o.open ?? nyInstant(dayIndex, REGULAR_OPEN_MINUTE)
    const close = o.close ?? nyInstant(dayIndex, EARLY_CLOSE_MINUTE)
    if (close <= open) throw new RangeError(`override ${o.date}: close must come after open`)
    out.set(dayIndex, { special, open, close })
  }
  return out
}

/** A day of the computed calendar merged with overrides: an override replaces the rules' answer; weekends are never special. */
export function resolveDay(dayIndex: number, overrides: ReadonlyMap<number, ResolvedDay>): ResolvedDay {
  const weekday = weekdayOfDayIndex(dayIndex)
  if (weekday === 0 || weekday === 6) return { special: null }
  return overrides.get(dayIndex) ?? { special: computedSpecialDay(dayIndex) }
}

/**
 * The computed calendar with overrides merged over it: for each day an override (closed, early
 * close with its times, or an ordinary open day) replaces the rule-computed day. Pure: the same
 * overrides always give the same calendar.
 */
export function exchangeCalendar(overrides: readonly CalendarOverride[] = []): ExchangeCalendar {
  const byDay = overridesByDay(overrides)
  const resolve = (dayIndex: number) => resolveDay(dayIndex, byDay)

  const scheduleOfIndex = (dayIndex: number): DaySchedule | null => {
    if (!Number.isSafeInteger(dayIndex)) throw new RangeError(`expected a day number, got ${dayIndex}`)
    const weekday = weekdayOfDayIndex(dayIndex)
    if (weekday === 0 || weekday === 6) return null
    const { special, open, close } = resolve(dayIndex)
    if (special?.status === 'closed') return null
    if (special?.status !== 'early_close') return clock.daySchedule(dayIndex)
    return clock.daySchedule(dayIndex, {
      open,
      close: close ?? nyInstant(dayIndex, EARLY_CLOSE_MINUTE),
      holiday: special.name,
    })
  }
  const closedHoliday = (dayIndex: number) => {
    const { special } = resolve(dayIndex)
    return special?.status === 'closed' ? special.name : null
  }
  const isTradingDayIndex = (dayIndex: number) => scheduleOfIndex(dayIndex) !== null

  return {
    sessionAt: (tMs) => clock.sessionAt(scheduleOfIndex, closedHoliday, checkInstant(tMs)),
    nextOpen: (tMs) => clock.nextOpen(scheduleOfIndex, checkInstant(tMs)),
    nextClose: (tMs) => clock.nextClose(scheduleOfIndex, checkInstant(tMs)),
    isTradingDay: (day) => isTradingDayIndex(dayIndexOfDate(day)),
    previousTradingDay: (day) => clock.stepTradingDay(scheduleOfIndex, dayIndexOfDate(day), -1).date,
    nextTradingDay: (day) => clock.stepTradingDay(scheduleOfIndex, dayIndexOfDate(day), 1).date,
    tradingDaysBetween: (fromDay, toDay) => {
      const out: string[] = []
      for (let d = dayIndexOfDate(fromDay), last = dayIndexOfDate(toDay); d <= last; d++)
        if (isTradingDayIndex(d)) out.push(dateOfDayIndex(d))
      return out
    },
    upcomingHolidays: (tMs, n) => {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`)
      const out: UpcomingHoliday[] = []
      // Every year has at least nine holidays and early closes; the bound only stops absurd override sets.
      const today = nyDayIndex(checkInstant(tMs))
      for (let d = today; out.length < n && d < today + 366 * (2 + Math.ceil(n / 5)); d++) {
        const { special } = resolve(d)
        if (!special) continue
        const s = special.status === 'early_close' ? scheduleOfIndex(d) : null
        out.push({
          date: special.date,
          name: special.name,
          status: special.status,
          open: s?.open ?? null,
          close: s?.close ?? null,
        })
      }
      return out
    },
    scheduleOf: (day) => scheduleOfIndex(dayIndexOfDate(day)),
    scheduleOfIndex,
    isTradingDayIndex,
    previousTradingDayIndex: (dayIndex) => clock.stepTradingDay(scheduleOfIndex, dayIndex, -1).dayIndex,
    nextTradingDayIndex: (dayIndex) => clock.stepTradingDay(scheduleOfIndex, dayIndex, 1).dayIndex,
    specialDayOf: (dayIndex) => resolve(dayIndex).special,
  }
}

function checkInstant(tMs: number): number {
  if (!Number.isFinite(tMs)) throw new RangeError(`expected an instant in UTC ms, got ${tMs}`)
  return tMs
}

/** The US-equities calendar computed by rule, without provider overrides. */
export const usEquityCalendar: ExchangeCalendar = exchangeCalendar()

export const {
  sessionAt,
  nextOpen,
  nextClose,
  isTradingDay,
  previousTradingDay,
  nextTradingDay,
  tradingDaysBetween,
  upcomingHolidays,
  scheduleOf,
  scheduleOfIndex,
  isTradingDayIndex,
  previousTradingDayIndex,
  nextTradingDayIndex,
  specialDayOf,
} = usEquityCalendar
