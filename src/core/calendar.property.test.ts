/** Property tests for the calendar over 2000–2100: next open/close, the session's own boundaries, a wall-clock oracle from Intl, and trading-day ranges. */

import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import {
  isTradingDay,
  nextClose,
  nextOpen,
  nextTradingDay,
  previousTradingDay,
  scheduleOf,
  sessionAt,
  tradingDaysBetween,
} from './calendar.ts'
import { dateOfDayIndex, dayIndexOfDate } from './market-time.ts'

const FROM = Date.UTC(2000, 0, 1)
const TO = Date.UTC(2101, 0, 1)
const instant = fc.integer({ min: FROM, max: TO })
const runs = { numRuns: 5_000 }

const nyParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: 'numeric',
  minute: 'numeric',
})

/** The New York date and minute of the day according to Intl, independent of market-time.ts. */
function nyWall(tMs: number): { date: string; minute: number } {
  const p = Object.fromEntries(nyParts.formatToParts(tMs).map((x) => [x.type, x.value]))
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) }
}

/** Walking the states from t by their `until`: the first instant after t at which the market becomes `market`. */
function firstChangeTo(market: string, t: number): number {
  let at = sessionAt(t).until
  while (sessionAt(at).market !== market) at = sessionAt(at).until
  return at
}

describe('calendar properties, 2000–2100', () => {
  it('nextOpen is after the instant, opens the regular session, and nothing opens in between', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const open = nextOpen(t)
        expect(open).toBeGreaterThan(t)
        expect(sessionAt(open).market).toBe('open')
        expect(sessionAt(open - 1).market).toBe('pre')
        expect(firstChangeTo('open', t)).toBe(open) // no regular session starts in between
        expect(open - t).toBeLessThan(6 * 86_400_000)
      }),
      runs,
    )
  })

  it('nextClose is after the instant and ends a regular session', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const close = nextClose(t)
        expect(close).toBeGreaterThan(t)
        expect(sessionAt(close - 1).market).toBe('open')
        expect(sessionAt(close).market).toBe('post')
        expect(firstChangeTo('post', t)).toBe(close)
      }),
      runs,
    )
  })

  it('the session holds from since to until and changes at until', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const s = sessionAt(t)
        expect(s.since).toBeLessThanOrEqual(t)
        expect(s.until).toBeGreaterThan(t)
        expect(sessionAt(s.since).market).toBe(s.market)
        expect(sessionAt(s.until - 1).market).toBe(s.market)
        expect(sessionAt(s.until).market).not.toBe(s.market)
      }),
      runs,
    )
  })

  it('agrees with the New York wall clock read from Intl', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const { date, minute } = nyWall(t)
        const s = sessionAt(t)
        expect(s.date).toBe(date)
        const closeMinute = scheduleOf(date)?.earlyClose ? 13 * 60 : 16 * 60
        const expected = !isTradingDay(date)
          ? 'closed'
          : minute < 4 * 60
            ? 'closed'
            : minute < 9 * 60 + 30
              ? 'pre'
              : minute < closeMinute
                ? 'open'
                : minute < closeMinute + 4 * 60
                  ? 'post'
                  : 'closed'
        expect(s.market).toBe(expected)
      }),
      runs,
    )
  })

  it('tradingDaysBetween is exactly the days isTradingDay accepts, and stepping walks the same list', () => {
    const day = fc.integer({ min: dayIndexOfDate('2000-01-01'), max: dayIndexOfDate('2100-12-31') })
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 40 }), (from, span) => {
        const fromDay = dateOfDayIndex(from)
        const toDay = dateOfDayIndex(from + span)
        const listed = tradingDaysBetween(fromDay, toDay)
        const expected: string[] = []
        for (let d = from; d <= from + span; d++) if (isTradingDay(dateOfDayIndex(d))) expected.push(dateOfDayIndex(d))
        expect(listed).toEqual(expected)
        for (let i = 1; i < listed.length; i++) {
          expect(nextTradingDay(listed[i - 1]!)).toBe(listed[i]!)
          expect(previousTradingDay(listed[i]!)).toBe(listed[i - 1]!)
        }
      }),
      { numRuns: 500 },
    )
  })
})
