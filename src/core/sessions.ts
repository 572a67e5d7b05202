/** The US-equities session clock in America/New_York: a trading day's pre-market, regular and post-market instants, the session at an instant, next open and close. Pure. */

import { HOUR_MS, MINUTE_MS, dateOfDayIndex, nyDayIndex, nyWallToUtc, DAY_MS } from './market-time.ts'

export type Market = 'pre' | 'open' | 'post' | 'closed'

/** Wall-clock minutes after New York midnight (market-rules.md §2.1). */
export const PRE_MARKET_OPEN_MINUTE = 4 * 60
export const REGULAR_OPEN_MINUTE = 9 * 60 + 30
export const REGULAR_CLOSE_MINUTE = 16 * 60
export const EARLY_CLOSE_MINUTE = 13 * 60
/** Post-market lasts this long after the regular close: 16:00–20:00, or 13:00–17:00 on an early-close day. */
export const POST_MARKET_MS = 4 * HOUR_MS
/** How far the clock looks for a trading day before concluding the calendar has none (only absurd overrides get there). */
export const MAX_SEARCH_DAYS = 400

/** One trading day's sessions as UTC ms: pre-market [preOpen, open), regular [open, close), post-market [close, postClose). */
export interface DaySchedule {
  dayIndex: number
  /** YYYY-MM-DD (New York). */
  date: string
  preOpen: number
  open: number
  close: number
  postClose: number
  /** The regular session ends before 16:00 (13:00 by rule). */
  earlyClose: boolean
  /** Name of the holiday an early close belongs to ("Thanksgiving"), null on an ordinary day. */
  holiday: string | null
}

/** Schedule of a New York day number, null when the market does not open that day (weekend, holiday, closure). */
export type ScheduleLookup = (dayIndex: number) => DaySchedule | null

/** The session at one instant. */
export interface MarketSession {
  market: Market
  /** YYYY-MM-DD, the New York date of the instant. */
  date: string
  /** Name of the holiday the market is closed for today, or whose early close today is; null otherwise (weekends too). */
  holiday: string | null
  /** Today's regular session ends early (13:00). */
  earlyClose: boolean
  /** Today's regular open and close (UTC ms); null when today is not a trading day. */
  opensAt: number | null
  closesAt: number | null
  /** When `market` took its current value and when it next changes (UTC ms). */
  since: number
  until: number
}

/** New York wall time `minute` minutes after midnight of a day number, as UTC ms (DST-correct). */
export function nyInstant(dayIndex: number, minute: number): number {
  return nyWallToUtc(dayIndex * DAY_MS + minute * MINUTE_MS)
}

/** Schedule of a trading day; open and close default to 09:30 and 16:00 New York. */
export function daySchedule(
  dayIndex: number,
  times: { open?: number; close?: number; holiday?: string | null } = {},
): DaySchedule {
  const open = times.open ?? nyInstant(dayIndex, REGULAR_OPEN_MINUTE)
  const close = times.close ?? nyInstant(dayIndex, REGULAR_CLOSE_MINUTE)
  return {
    dayIndex,
    date: dateOfDayIndex(dayIndex),
    preOpen: Math.min(open, nyInstant(dayIndex, PRE_MARKET_OPEN_MINUTE)),
    open,
    close,
    postClose: close + POST_MARKET_MS,
    earlyClose: close < nyInstant(dayIndex, REGULAR_CLOSE_MINUTE),
    holiday: times.holiday ?? null,
  }
}

/** The first trading day after (step 1) or before (step -1) a day number. */
export function stepTradingDay(scheduleOf: ScheduleLookup, dayIndex: number, step: 1 | -1): DaySchedule {
  for (let d = dayIndex + step, n = 0; n < MAX_SEARCH_DAYS; d += step, n++) {
    const s = scheduleOf(d)
    if (s) return s
  }
  throw new RangeError(`no trading day within ${MAX_SEARCH_DAYS} days of ${dateOfDayIndex(dayIndex)}`)
}

/**
 * The session at tMs. `holidayOf` names a closed day's holiday (null for weekends and ordinary
 * days); trading days carry their early close's name in the schedule.
 */
export function sessionAt(
  scheduleOf: ScheduleLookup,
  holidayOf: (dayIndex: number) => string | null,
  tMs: number,
): MarketSession {
  const dayIndex = nyDayIndex(tMs)
  const today = scheduleOf(dayIndex)
  const base = {
    date: dateOfDayIndex(dayIndex),
    holiday: today ? today.holiday : holidayOf(dayIndex),
    earlyClose: today?.earlyClose ?? false,
    opensAt: today?.open ?? null,
    closesAt: today?.close ?? null,
  }
  if (today && tMs >= today.preOpen && tMs < today.postClose) {
    if (tMs < today.open) return { ...base, market: 'pre', since: today.preOpen, until: today.open }
    if (tMs < today.close) return { ...base, market: 'open', since: today.open, until: today.close }
    return { ...base, market: 'post', since: today.close, until: today.postClose }
  }
  const afterToday = today !== null && tMs >= today.postClose
  const since = afterToday ? today.postClose : stepTradingDay(scheduleOf, dayIndex, -1).postClose
  const until = today !== null && !afterToday ? today.preOpen : stepTradingDay(scheduleOf, dayIndex, 1).preOpen
  return { ...base, market: 'closed', since, until }
}

/** The first regular-session open strictly after tMs. */
export function nextOpen(scheduleOf: ScheduleLookup, tMs: number): number {
  const today = scheduleOf(nyDayIndex(tMs))
  return today && today.open > tMs ? today.open : stepTradingDay(scheduleOf, nyDayIndex(tMs), 1).open
}

/** The first regular-session close strictly after tMs (today's while the market is open or before it opens). */
export function nextClose(scheduleOf: ScheduleLookup, tMs: number): number {
  const today = scheduleOf(nyDayIndex(tMs))
  return today && today.close > tMs ? today.close : stepTradingDay(scheduleOf, nyDayIndex(tMs), 1).close
}
