/** Tests for New York time math: DST transitions, day starts and bucket alignment for every timespan. */

import { describe, expect, it } from 'bun:test'
import {
  bucketStart,
  DAY_MS,
  HOUR_MS,
  nextBucketStart,
  nyDayIndex,
  nyDayStart,
  nyMinuteOfDay,
  nyNextDayStart,
  nyOffsetMs,
  nyWallMs,
  nyWallToUtc,
  nyWeekday,
} from './market-time.ts'

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s)

const intlParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
})

/** NY wall clock according to Intl (the reference we must match), as if UTC ms. */
function intlWallMs(tMs: number): number {
  const p = Object.fromEntries(intlParts.formatToParts(tMs).map((x) => [x.type, Number(x.value)]))
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + (tMs % 1000)
}

describe('nyOffsetMs / nyWallMs', () => {
  it('switches exactly at 02:00 local on the March and November transition Sundays (2025)', () => {
    expect(nyOffsetMs(utc(2025, 3, 9, 7) - 1)).toBe(-5 * HOUR_MS)
    expect(nyOffsetMs(utc(2025, 3, 9, 7))).toBe(-4 * HOUR_MS)
    expect(nyOffsetMs(utc(2025, 11, 2, 6) - 1)).toBe(-4 * HOUR_MS)
    expect(nyOffsetMs(utc(2025, 11, 2, 6))).toBe(-5 * HOUR_MS)
  })

  it('uses the 1987–2006 rule before 2007 (first Sunday of April, last Sunday of October)', () => {
    expect(nyOffsetMs(utc(2005, 4, 3, 7) - 1)).toBe(-5 * HOUR_MS)
    expect(nyOffsetMs(utc(2005, 4, 3, 7))).toBe(-4 * HOUR_MS)
    expect(nyOffsetMs(utc(2005, 10, 30, 6) - 1)).toBe(-4 * HOUR_MS)
    expect(nyOffsetMs(utc(2005, 10, 30, 6))).toBe(-5 * HOUR_MS)
  })

  it('agrees with Intl for 20,000 pseudo-random instants between 1990 and 2040', () => {
    const from = utc(1990, 1, 1)
    const span = utc(2040, 1, 1) - from
    let x = 12345
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0
      const t = from + Math.floor((x / 4294967296) * span)
      expect(nyWallMs(t)).toBe(intlWallMs(t))
    }
  })

  it('agrees with Intl in every minute around every transition from 2000 to 2035', () => {
    for (let year = 2000; year <= 2035; year++) {
      for (let month = 2; month <= 10; month++) {
        for (let day = 1; day <= 31; day++) {
          const noon = utc(year, month + 1, day, 12)
          if (nyOffsetMs(noon) === nyOffsetMs(noon + DAY_MS)) continue
          for (let t = noon; t < noon + DAY_MS; t += 60_000) expect(nyWallMs(t)).toBe(intlWallMs(t))
        }
      }
    }
  })
})

describe('nyDayStart', () => {
  it('is local midnight in EST and EDT', () => {
    expect(nyDayStart(utc(2025, 1, 15, 12))).toBe(utc(2025, 1, 15, 5))
    expect(nyDayStart(utc(2025, 7, 4, 12))).toBe(utc(2025, 7, 4, 4))
    expect(nyDayStart(utc(2025, 7, 5, 3, 59))).toBe(utc(2025, 7, 4, 4)) // 23:59 EDT on the 4th
  })

  it('gives a 23-hour day on the March change and a 25-hour day on the November change', () => {
    const march = nyDayStart(utc(2025, 3, 9, 18))
    expect(march).toBe(utc(2025, 3, 9, 5))
    expect(nyNextDayStart(march) - march).toBe(23 * HOUR_MS)
    const november = nyDayStart(utc(2025, 11, 2, 18))
    expect(november).toBe(utc(2025, 11, 2, 4))
    expect(nyNextDayStart(november) - november).toBe(25 * HOUR_MS)
  })

  it('matches the provider fixture day bars (2005-04-01 EST, 2005-04-04 EDT)', () => {
    expect(nyDayStart(1112331600000 + 13 * HOUR_MS)).toBe(1112331600000)
    expect(nyDayStart(1112587200000 + 13 * HOUR_MS)).toBe(1112587200000)
    expect(bucketStart('day', 1, 1112587200000 + 23 * HOUR_MS)).toBe(1112587200000)
  })

  it('round-trips wall clock ↔ UTC, resolving ambiguous 01:30 in November to EST', () => {
    expect(nyWallToUtc(nyWallMs(utc(2025, 6, 1, 15, 30)))).toBe(utc(2025, 6, 1, 15, 30))
    expect(nyWallToUtc(utc(2025, 11, 2, 1, 30))).toBe(utc(2025, 11, 2, 6, 30))
  })
})

describe('weekday and minute of day', () => {
  it('reads the New York calendar, not UTC', () => {
    expect(nyWeekday(utc(2025, 1, 12, 12))).toBe(0) // Sunday
    expect(nyWeekday(utc(2025, 1, 18, 4, 59))).toBe(5) // Friday 23:59 EST, already Saturday in UTC
    expect(nyMinuteOfDay(utc(2025, 1, 15, 14, 30))).toBe(9 * 60 + 30)
    expect(nyMinuteOfDay(utc(2025, 7, 15, 13, 30))).toBe(9 * 60 + 30)
    expect(nyDayIndex(utc(1970, 1, 1, 5))).toBe(0)
    expect(nyDayIndex(utc(1970, 1, 1, 4, 59))).toBe(-1)
  })
})

describe('bucketStart / nextBucketStart', () => {
  it('aligns minute buckets to 00:00 NY (5-minute → :00, :05, …)', () => {
    expect(bucketStart('minute', 1, utc(2025, 1, 15, 14, 37, 12))).toBe(utc(2025, 1, 15, 14, 37))
    expect(bucketStart('minute', 5, utc(2025, 1, 15, 14, 37, 12))).toBe(utc(2025, 1, 15, 14, 35))
    expect(nextBucketStart('minute', 5, utc(2025, 1, 15, 14, 35))).toBe(utc(2025, 1, 15, 14, 40))
    // 7-minute buckets restart at midnight: the day's last one (23:55) is 5 minutes long.
    expect(bucketStart('minute', 7, utc(2025, 1, 16, 4, 58))).toBe(utc(2025, 1, 16, 4, 55))
    expect(nextBucketStart('minute', 7, utc(2025, 1, 16, 4, 55))).toBe(utc(2025, 1, 16, 5))
  })

  it('aligns 4-hour buckets to 00:00/04:00/08:00 NY in winter and summer', () => {
    expect(bucketStart('hour', 4, utc(2025, 1, 15, 15, 30))).toBe(utc(2025, 1, 15, 13)) // 10:30 EST → 08:00 EST
    expect(bucketStart('hour', 4, utc(2025, 7, 15, 14, 30))).toBe(utc(2025, 7, 15, 12)) // 10:30 EDT → 08:00 EDT
    expect(nextBucketStart('hour', 4, utc(2025, 7, 15, 12))).toBe(utc(2025, 7, 15, 16))
  })

  it('counts elapsed hours from midnight on the 23-hour March day, and ends the day at midnight', () => {
    expect(bucketStart('hour', 4, utc(2025, 3, 9, 9, 30))).toBe(utc(2025, 3, 9, 9)) // 05:30 EDT, 4.5 h after midnight
    const lastBucket = bucketStart('hour', 4, utc(2025, 3, 10, 3, 30)) // 23:30 EDT
    expect(lastBucket).toBe(utc(2025, 3, 10, 1)) // 20 h after midnight
    expect(nextBucketStart('hour', 4, lastBucket)).toBe(utc(2025, 3, 10, 4))
  })

  it('keeps the two 01:00 hours of the November day apart', () => {
    expect(bucketStart('hour', 1, utc(2025, 11, 2, 5, 30))).toBe(utc(2025, 11, 2, 5)) // 01:30 EDT
    expect(bucketStart('hour', 1, utc(2025, 11, 2, 6, 30))).toBe(utc(2025, 11, 2, 6)) // 01:30 EST
    expect(nextBucketStart('hour', 1, utc(2025, 11, 2, 5))).toBe(utc(2025, 11, 2, 6))
  })

  it('aligns day buckets at 00:00 NY; 2-day buckets pair days counted from 1970-01-01', () => {
    expect(bucketStart('day', 1, utc(2025, 3, 9, 3))).toBe(utc(2025, 3, 8, 5)) // 22:00 EST on the 8th
    expect(nextBucketStart('day', 1, utc(2025, 3, 9, 5))).toBe(utc(2025, 3, 10, 4))
    expect(nyDayIndex(utc(2025, 1, 15, 17))).toBe(20103)
    expect(bucketStart('day', 2, utc(2025, 1, 15, 17))).toBe(utc(2025, 1, 14, 5))
    expect(nextBucketStart('day', 2, utc(2025, 1, 14, 5))).toBe(utc(2025, 1, 16, 5))
  })

  it('starts weeks on Sunday 00:00 NY, across a DST change', () => {
    expect(bucketStart('week', 1, utc(2025, 1, 15, 17))).toBe(utc(2025, 1, 12, 5))
    expect(bucketStart('week', 1, utc(2025, 1, 19, 4, 59))).toBe(utc(2025, 1, 12, 5)) // Saturday 23:59 EST
    expect(bucketStart('week', 1, utc(2025, 1, 19, 5))).toBe(utc(2025, 1, 19, 5)) // Sunday 00:00 EST
    expect(bucketStart('week', 1, utc(2025, 3, 12, 17))).toBe(utc(2025, 3, 9, 5))
    expect(nextBucketStart('week', 1, utc(2025, 3, 9, 5))).toBe(utc(2025, 3, 16, 4))
    expect(new Date(bucketStart('week', 2, utc(2025, 1, 15, 17)) - 5 * HOUR_MS).getUTCDay()).toBe(0)
  })

  it('starts months on the 1st 00:00 NY; 3 months = calendar quarters, 12 = years', () => {
    expect(bucketStart('month', 1, utc(2025, 4, 1, 3))).toBe(utc(2025, 3, 1, 5)) // March 31 23:00 EDT
    expect(nextBucketStart('month', 1, utc(2025, 3, 1, 5))).toBe(utc(2025, 4, 1, 4))
    expect(bucketStart('month', 3, utc(2025, 5, 15, 12))).toBe(utc(2025, 4, 1, 4))
    expect(nextBucketStart('month', 3, utc(2025, 4, 1, 4))).toBe(utc(2025, 7, 1, 4))
    expect(bucketStart('month', 12, utc(2025, 6, 15, 12))).toBe(utc(2025, 1, 1, 5))
    expect(nextBucketStart('month', 12, utc(2025, 1, 1, 5))).toBe(utc(2026, 1, 1, 5))
  })

  it('makes consecutive buckets tile time with no gap or overlap', () => {
    for (const [timespan, multiplier] of [
      ['minute', 15],
      ['hour', 3],
      ['day', 1],
      ['week', 1],
      ['month', 2],
    ] as const) {
      let start = bucketStart(timespan, multiplier, utc(2024, 12, 20))
      for (let i = 0; i < 200; i++) {
        const next = nextBucketStart(timespan, multiplier, start)
        expect(next).toBeGreaterThan(start)
        expect(bucketStart(timespan, multiplier, next - 1)).toBe(start)
        expect(bucketStart(timespan, multiplier, next)).toBe(next)
        start = next
      }
    }
  })

  it('rejects a multiplier that is not a positive integer', () => {
    expect(() => bucketStart('minute', 0, 0)).toThrow(RangeError)
    expect(() => nextBucketStart('day', 1.5, 0)).toThrow(RangeError)
  })
})
