/** Option expiration calendar: the dates listed on a day (weeklies, monthlies, January LEAPS) on exchange trading days, their kind, and time to expiry. Pure. */
import { usEquityCalendar, type ExchangeCalendar } from '../calendar'
import {
  DAY_MS,
  HOUR_MS,
  dateOfDayIndex,
  nthWeekdayOfMonth,
  nyDayIndex,
  nyWallToUtc,
  weekdayOfDayIndex,
} from '../market-time'

export type ExpirationKind = 'weekly' | 'monthly' | 'leaps' | 'other'

export interface ListedExpiration {
  /** YYYY-MM-DD (New York calendar day). */
  date: string
  kind: ExpirationKind
}

/** Weekly Fridays are listed this many days ahead. */
export const weeklyHorizonDays = 42
/** Monthly (third-Friday) expirations are listed for the current month and this many after it. */
export const monthlyHorizonMonths = 6
/** January LEAPS listed beyond the monthly window. */
export const leapsCount = 2
const yearMs = 365 * DAY_MS
const FRIDAY = 5

/** YYYY-MM-DD of a New York day number (0 = 1970-01-01). */
export const dateOfDay = dateOfDayIndex

/** New York day number of a YYYY-MM-DD date (assumed valid). */
export function dayOfDate(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
}

/**
 * Options stop trading at the regular close of their expiration day (market-rules.md §6): 16:00
 * New York, 13:00 on an early-close day; 16:00 on a day the market is shut. That instant, UTC ms.
 */
export function expiryInstant(date: string, calendar: ExchangeCalendar = usEquityCalendar): number {
  const day = dayOfDate(date)
  if (!Number.isInteger(day)) return NaN
  return calendar.scheduleOfIndex(day)?.close ?? nyWallToUtc(day * DAY_MS + 16 * HOUR_MS)
}

/** Calendar days from the New York date of nowMs to the expiration date: 0 on the day, negative once past. */
export function daysToExpiry(date: string, nowMs: number): number {
  return dayOfDate(date) - nyDayIndex(nowMs)
}

/** ACT/365 years from nowMs to the expiry instant; ≤ 0 once expired. */
export function yearsToExpiry(date: string, nowMs: number, calendar: ExchangeCalendar = usEquityCalendar): number {
  return (expiryInstant(date, calendar) - nowMs) / yearMs
}

/** Day number of the third Friday of a month (year, 0-based month that may overflow). */
function thirdFriday(year: number, month: number): number {
  return nthWeekdayOfMonth(year, month, FRIDAY, 3)
}

/**
 * The expiration day of the series that would expire on a Friday: that Friday when it is a
 * trading day, else the trading day before it (a Good Friday monthly expires on the Thursday).
 */
export function expirationDayOfFriday(friday: number, calendar: ExchangeCalendar = usEquityCalendar): number {
  return calendar.scheduleOfIndex(friday) ? friday : calendar.previousTradingDayIndex(friday)
}

/** The last monthly expiration inside the monthly window of New York day `todayIndex`. */
function lastMonthlyOf(todayIndex: number): number {
  const today = new Date(todayIndex * DAY_MS)
  return thirdFriday(today.getUTCFullYear(), today.getUTCMonth() + monthlyHorizonMonths)
}

/**
 * Monthly for the expiration day of a third Friday (LEAPS: a January beyond the monthly window),
 * weekly for that of another Friday (the Friday, or the trading day before a holiday Friday),
 * else other.
 */
export function expirationKind(
  date: string,
  todayIndex: number,
  calendar: ExchangeCalendar = usEquityCalendar,
): ExpirationKind {
  const day = dayOfDate(date)
  const weekday = weekdayOfDayIndex(day)
  if (weekday === 0 || weekday === 6) return 'other'
  const friday = day + FRIDAY - weekday
  if (expirationDayOfFriday(friday, calendar) !== day) return 'other'
  const d = new Date(friday * DAY_MS)
  if (thirdFriday(d.getUTCFullYear(), d.getUTCMonth()) !== friday) return 'weekly'
  return d.getUTCMonth() === 0 && friday > lastMonthlyOf(todayIndex) ? 'leaps' : 'monthly'
}

/**
 * What a typical US equity option lists on New York day `todayIndex`: the series of every Friday
 * in the next weeklyHorizonDays (today included), of the third Friday of this month and the next
 * monthlyHorizonMonths, and of the next leapsCount Januaries beyond that; each expires on its
 * Friday, or on the trading day before when the Friday is an exchange holiday (market-rules.md §6).
 * Ascending, no duplicates, none before today.
 */
export function listedExpirations(
  todayIndex: number,
  calendar: ExchangeCalendar = usEquityCalendar,
): ListedExpiration[] {
  const fridays = new Set<number>()
  const firstFriday = todayIndex + ((FRIDAY - weekdayOfDayIndex(todayIndex) + 7) % 7)
  for (let d = firstFriday; d <= todayIndex + weeklyHorizonDays; d += 7) fridays.add(d)
  const today = new Date(todayIndex * DAY_MS)
  const [year, month] = [today.getUTCFullYear(), today.getUTCMonth()]
  for (let i = 0; i <= monthlyHorizonMonths; i++) {
    const d = thirdFriday(year, month + i)
    if (d >= todayIndex) fridays.add(d)
  }
  const lastMonthly = lastMonthlyOf(todayIndex)
  let leaps = 0
  for (let y = year + 1; leaps < leapsCount; y++) {
    const d = thirdFriday(y, 0)
    if (d > lastMonthly) (fridays.add(d), leaps++)
  }
  const days = new Set([...fridays].map((f) => expirationDayOfFriday(f, calendar)).filter((d) => d >= todayIndex))
  return [...days]
    .sort((a, b) => a - b)
    .map((d) => ({ date: dateOfDay(d), kind: expirationKind(dateOfDay(d), todayIndex, calendar) }))
}
