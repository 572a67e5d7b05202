/** Pure America/New_York time math: DST-correct day starts and the provider's bucket alignment for every timespan. */

import type { Timespan } from './market-types.ts'

export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

const EST_OFFSET_MS = -5 * HOUR_MS
const EDT_OFFSET_MS = -4 * HOUR_MS
/** 1970-01-01 was a Thursday; weekday = (dayIndex + 4) mod 7 with Sunday = 0. */
const EPOCH_WEEKDAY = 4

/**
 * US daylight-saving window of a year as UTC instants [start, end): DST begins at 02:00 EST
 * (07:00 UTC) and ends at 02:00 EDT (06:00 UTC). Rules: 2007+ second Sunday of March to first
 * Sunday of November; 1987–2006 first Sunday of April to last Sunday of October; earlier years
 * use the 1976–1986 rule (last Sunday of April to last Sunday of October).
 */
function dstWindowUtc(year: number): [number, number] {
  if (year >= 2007) return [nthSundayUtc(year, 2, 2) + 7 * HOUR_MS, nthSundayUtc(year, 10, 1) + 6 * HOUR_MS]
  if (year >= 1987) return [nthSundayUtc(year, 3, 1) + 7 * HOUR_MS, lastSundayUtc(year, 9) + 6 * HOUR_MS]
  return [lastSundayUtc(year, 3) + 7 * HOUR_MS, lastSundayUtc(year, 9) + 6 * HOUR_MS]
}

/** 00:00 UTC of the nth Sunday (1-based) of a month (0-based). */
function nthSundayUtc(year: number, month: number, n: number): number {
  return nthWeekdayOfMonth(year, month, 0, n) * DAY_MS
}

/** 00:00 UTC of the last Sunday of a month (0-based). */
function lastSundayUtc(year: number, month: number): number {
  return lastWeekdayOfMonth(year, month, 0) * DAY_MS
}

/** Day number (0 = 1970-01-01) of a calendar date; month is 0-based and may overflow into the next years, as in Date.UTC. */
export function dayIndexOfYmd(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month, day) / DAY_MS)
}

/** Day number of the nth (1-based) given weekday (0 = Sunday … 6 = Saturday) of a month (0-based, may overflow). */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, n: number): number {
  const first = dayIndexOfYmd(year, month, 1)
  return first + ((weekday - weekdayOfDayIndex(first) + 7) % 7) + 7 * (n - 1)
}

/** Day number of the last given weekday (0 = Sunday … 6 = Saturday) of a month (0-based, may overflow). */
export function lastWeekdayOfMonth(year: number, month: number, weekday: number): number {
  const last = dayIndexOfYmd(year, month + 1, 0)
  return last - ((weekdayOfDayIndex(last) - weekday + 7) % 7)
}

/** YYYY-MM-DD of a day number (0 = 1970-01-01); the New York date when the number came from nyDayIndex. */
export function dateOfDayIndex(dayIndex: number): string {
  return new Date(dayIndex * DAY_MS).toISOString().slice(0, 10)
}

/** Day number of a YYYY-MM-DD date; RangeError unless it is exactly that form and a real date (2025-02-30 is not). */
export function dayIndexOfDate(date: string): number {
  const m = typeof date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null
  const dayIndex = m ? dayIndexOfYmd(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN
  if (!m || dateOfDayIndex(dayIndex) !== date)
    throw new RangeError(`expected a date as YYYY-MM-DD, got ${String(date)}`)
  return dayIndex
}

// One-entry memo of the interval [offsetFrom, offsetUntil) over which the NY offset is constant.
// It changes twice a year, so nearly every lookup is a hit and needs no Date or Intl.
let offsetFrom = 0
let offsetUntil = 0
let offsetValue = EST_OFFSET_MS

/** NY local time minus UTC at instant tMs: -4 h (EDT) or -5 h (EST), in ms. */
export function nyOffsetMs(tMs: number): number {
  if (tMs >= offsetFrom && tMs < offsetUntil) return offsetValue
  const year = new Date(tMs).getUTCFullYear()
  const [dstStart, dstEnd] = dstWindowUtc(year)
  if (tMs < dstStart) {
    offsetFrom = Date.UTC(year, 0, 1) - DAY_MS // Dec 31 of the previous year is EST as well
    offsetUntil = dstStart
    offsetValue = EST_OFFSET_MS
  } else if (tMs < dstEnd) {
    offsetFrom = dstStart
    offsetUntil = dstEnd
    offsetValue = EDT_OFFSET_MS
  } else {
    offsetFrom = dstEnd
    offsetUntil = Date.UTC(year + 1, 0, 2) // Jan 1 of the next year is EST as well
    offsetValue = EST_OFFSET_MS
  }
  return offsetValue
}

/** The NY wall clock at tMs, expressed as if it were UTC ms (for calendar arithmetic only). */
export function nyWallMs(tMs: number): number {
  return tMs + nyOffsetMs(tMs)
}

/**
 * The UTC instant of a NY wall-clock time (as produced by nyWallMs). Ambiguous wall times
 * (01:xx on the November change) resolve to the EST (later) instant; nonexistent ones
 * (02:xx on the March change) resolve as if EST.
 */
export function nyWallToUtc(wallMs: number): number {
  const asEst = wallMs - EST_OFFSET_MS
  if (nyOffsetMs(asEst) === EST_OFFSET_MS) return asEst
  const asEdt = wallMs - EDT_OFFSET_MS
  return nyOffsetMs(asEdt) === EDT_OFFSET_MS ? asEdt : asEst
}

/** NY calendar day number of tMs: 0 = 1970-01-01 (NY), negative before. */
export function nyDayIndex(tMs: number): number {
  return Math.floor(nyWallMs(tMs) / DAY_MS)
}

/** 00:00 NY of a NY calendar day number, as UTC ms. */
export function nyDayStartOfIndex(dayIndex: number): number {
  return nyWallToUtc(dayIndex * DAY_MS)
}

/** 00:00 New York of the day containing tMs, as UTC ms. */
export function nyDayStart(tMs: number): number {
  return nyDayStartOfIndex(nyDayIndex(tMs))
}

/** 00:00 New York of the day after the one containing tMs (23, 24 or 25 hours after nyDayStart). */
export function nyNextDayStart(tMs: number): number {
  return nyDayStartOfIndex(nyDayIndex(tMs) + 1)
}

/** Day of the week in New York at tMs: 0 = Sunday … 6 = Saturday. */
export function nyWeekday(tMs: number): number {
  return weekdayOfDayIndex(nyDayIndex(tMs))
}

/** Day of the week of a NY calendar day number (nyDayIndex): 0 = Sunday … 6 = Saturday. */
export function weekdayOfDayIndex(dayIndex: number): number {
  return (((dayIndex + EPOCH_WEEKDAY) % 7) + 7) % 7
}

/** NY wall-clock minutes since local midnight at tMs (0…1439). */
export function nyMinuteOfDay(tMs: number): number {
  const wall = nyWallMs(tMs)
  return Math.floor((wall - Math.floor(wall / DAY_MS) * DAY_MS) / MINUTE_MS)
}

/** Month number since January 1970 (0 = 1970-01) of a NY calendar day. */
function monthIndexOfDay(dayIndex: number): number {
  const d = new Date(dayIndex * DAY_MS)
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth()
}

/** NY calendar day number of the 1st of a month number since January 1970. */
function firstDayOfMonthIndex(monthIndex: number): number {
  const year = 1970 + Math.floor(monthIndex / 12)
  const month = monthIndex - (year - 1970) * 12
  return Date.UTC(year, month, 1) / DAY_MS
}

function assertMultiplier(multiplier: number): void {
  if (!Number.isInteger(multiplier) || multiplier < 1)
    throw new RangeError(`multiplier must be a positive integer, got ${multiplier}`)
}

/**
 * Start (UTC ms) of the bucket containing tMs, following the provider's alignment in New York:
 * - minute, hour: counted from 00:00 NY of the bucket's own day, so 5-minute buckets start at
 *   :00, :05, … and 4-hour buckets at 00:00, 04:00, 08:00 …; a bucket never crosses midnight
 *   (the last one of a day may be short). On the 23- and 25-hour DST days, multi-hour buckets
 *   count elapsed hours from midnight; 1-hour buckets always start on the wall-clock hour.
 * - day: 00:00 NY; multiplier N groups runs of N calendar days counted from 1970-01-01 (NY).
 * - week: Sunday 00:00 NY; multiplier N groups runs of N weeks counted from Sunday 1969-12-28.
 * - month: the 1st, 00:00 NY; multiplier N groups runs of N months counted from January 1970,
 *   so 3 gives calendar quarters and 12 calendar years.
 */
export function bucketStart(timespan: Timespan, multiplier: number, tMs: number): number {
  assertMultiplier(multiplier)
  switch (timespan) {
    case 'minute':
    case 'hour': {
      const size = multiplier * (timespan === 'minute' ? MINUTE_MS : HOUR_MS)
      const dayStart = nyDayStart(tMs)
      return dayStart + Math.floor((tMs - dayStart) / size) * size
    }
    case 'day': {
      const day = nyDayIndex(tMs)
      return nyDayStartOfIndex(Math.floor(day / multiplier) * multiplier)
    }
    case 'week': {
      const week = Math.floor((nyDayIndex(tMs) + EPOCH_WEEKDAY) / 7)
      return nyDayStartOfIndex(Math.floor(week / multiplier) * multiplier * 7 - EPOCH_WEEKDAY)
    }
    case 'month': {
      const month = monthIndexOfDay(nyDayIndex(tMs))
      return nyDayStartOfIndex(firstDayOfMonthIndex(Math.floor(month / multiplier) * multiplier))
    }
  }
}

/** Start (UTC ms) of the bucket that follows the bucket beginning at startMs (startMs must be a bucketStart). */
export function nextBucketStart(timespan: Timespan, multiplier: number, startMs: number): number {
  assertMultiplier(multiplier)
  switch (timespan) {
    case 'minute':
    case 'hour': {
      const size = multiplier * (timespan === 'minute' ? MINUTE_MS : HOUR_MS)
      return Math.min(startMs + size, nyNextDayStart(startMs))
    }
    case 'day':
      return nyDayStartOfIndex(nyDayIndex(startMs) + multiplier)
    case 'week':
      return nyDayStartOfIndex(nyDayIndex(startMs) + 7 * multiplier)
    case 'month':
      return nyDayStartOfIndex(firstDayOfMonthIndex(monthIndexOfDay(nyDayIndex(startMs)) + multiplier))
  }
}
