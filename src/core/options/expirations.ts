/** Option expiration calendar: the dates listed on a day (weeklies, monthlies, January LEAPS), their kind, and time to expiry. Pure. */
import { DAY_MS, HOUR_MS, nyWallToUtc, weekdayOfDayIndex } from '../market-time'

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
export function dateOfDay(dayIndex: number): string {
  return new Date(dayIndex * DAY_MS).toISOString().slice(0, 10)
}

/** New York day number of a YYYY-MM-DD date (assumed valid). */
export function dayOfDate(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
}

/** Options stop trading at 16:00 New York on their expiration day: that instant, as UTC ms. */
export function expiryInstant(date: string): number {
  return nyWallToUtc(dayOfDate(date) * DAY_MS + 16 * HOUR_MS)
}

/** ACT/365 years from nowMs to the expiry instant; ≤ 0 once expired. */
export function yearsToExpiry(date: string, nowMs: number): number {
  return (expiryInstant(date) - nowMs) / yearMs
}

/** Day number of the third Friday of a month (year, 0-based month). */
function thirdFriday(year: number, month: number): number {
  const first = Math.round(Date.UTC(year, month, 1) / DAY_MS)
  return first + ((FRIDAY - weekdayOfDayIndex(first) + 7) % 7) + 14
}

/** The last monthly expiration inside the monthly window of New York day `todayIndex`. */
function lastMonthlyOf(todayIndex: number): number {
  const today = new Date(todayIndex * DAY_MS)
  return thirdFriday(today.getUTCFullYear(), today.getUTCMonth() + monthlyHorizonMonths)
}

/** Monthly for a third Friday (LEAPS: a January beyond the monthly window), weekly for another Friday, else other. */
export function expirationKind(date: string, todayIndex: number): ExpirationKind {
  const day = dayOfDate(date)
  if (weekdayOfDayIndex(day) !== FRIDAY) return 'other'
  const d = new Date(day * DAY_MS)
  if (thirdFriday(d.getUTCFullYear(), d.getUTCMonth()) !== day) return 'weekly'
  return d.getUTCMonth() === 0 && day > lastMonthlyOf(todayIndex) ? 'leaps' : 'monthly'
}

/**
 * What a typical US equity option lists on New York day `todayIndex`: every Friday in the next
 * weeklyHorizonDays (today included), the third Friday of this month and the next
 * monthlyHorizonMonths, and the next leapsCount Januaries beyond that. Ascending, no duplicates,
 * none before today. Exchange holidays are not modelled.
 */
export function listedExpirations(todayIndex: number): ListedExpiration[] {
  const days = new Set<number>()
  const firstFriday = todayIndex + ((FRIDAY - weekdayOfDayIndex(todayIndex) + 7) % 7)
  for (let d = firstFriday; d <= todayIndex + weeklyHorizonDays; d += 7) days.add(d)
  const today = new Date(todayIndex * DAY_MS)
  const [year, month] = [today.getUTCFullYear(), today.getUTCMonth()]
  for (let i = 0; i <= monthlyHorizonMonths; i++) {
    const d = thirdFriday(year, month + i)
    if (d >= todayIndex) days.add(d)
  }
  const lastMonthly = lastMonthlyOf(todayIndex)
  let leaps = 0
  for (let y = year + 1; leaps < leapsCount; y++) {
    const d = thirdFriday(y, 0)
    if (d > lastMonthly) (days.add(d), leaps++)
  }
  return [...days]
    .sort((a, b) => a - b)
    .map((d) => ({ date: dateOfDay(d), kind: expirationKind(dateOfDay(d), todayIndex) }))
}
