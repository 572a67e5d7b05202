/** Tests for the exchange calendar's days: every 2020–2030 holiday and early close, each observance rule, unscheduled closures and trading-day stepping. */

import { describe, expect, it } from 'bun:test'
import { easterSunday, HOLIDAY_NAMES, specialDaysOfYear } from './calendar-rules.ts'
import {
  isTradingDay,
  nextTradingDay,
  previousTradingDay,
  scheduleOf,
  sessionAt,
  tradingDaysBetween,
} from './calendar.ts'
import { dateOfDayIndex, dayIndexOfDate, weekdayOfDayIndex } from './market-time.ts'

/**
 * Copied from /work/shared/reference/market-rules.md §1.4 ("Every holiday and 13:00 close,
 * 2020–2030"), cell by cell: year, New Year, MLK, Washington's Birthday, Good Friday, Memorial,
 * Juneteenth, Independence, Labor, Thanksgiving, Christmas, 13:00 closes.
 */
// prettier-ignore
const TABLE_1_4 = [
  ['2020', 'Wed 01-01', 'Mon 01-20', 'Mon 02-17', 'Fri 04-10', 'Mon 05-25', '—', 'Fri 07-03 obs', 'Mon 09-07', 'Thu 11-26', 'Fri 12-25', 'Fri 11-27, Thu 12-24'],
  ['2021', 'Fri 01-01', 'Mon 01-18', 'Mon 02-15', 'Fri 04-02', 'Mon 05-31', '—', 'Mon 07-05 obs', 'Mon 09-06', 'Thu 11-25', 'Fri 12-24 obs', 'Fri 11-26'],
  ['2022', 'none (Sat)', 'Mon 01-17', 'Mon 02-21', 'Fri 04-15', 'Mon 05-30', 'Mon 06-20 obs', 'Mon 07-04', 'Mon 09-05', 'Thu 11-24', 'Mon 12-26 obs', 'Fri 11-25'],
  ['2023', 'Mon 01-02 obs', 'Mon 01-16', 'Mon 02-20', 'Fri 04-07', 'Mon 05-29', 'Mon 06-19', 'Tue 07-04', 'Mon 09-04', 'Thu 11-23', 'Mon 12-25', 'Mon 07-03, Fri 11-24'],
  ['2024', 'Mon 01-01', 'Mon 01-15', 'Mon 02-19', 'Fri 03-29', 'Mon 05-27', 'Wed 06-19', 'Thu 07-04', 'Mon 09-02', 'Thu 11-28', 'Wed 12-25', 'Wed 07-03, Fri 11-29, Tue 12-24'],
  ['2025', 'Wed 01-01 (+Thu 01-09 Carter)', 'Mon 01-20', 'Mon 02-17', 'Fri 04-18', 'Mon 05-26', 'Thu 06-19', 'Fri 07-04', 'Mon 09-01', 'Thu 11-27', 'Thu 12-25', 'Thu 07-03, Fri 11-28, Wed 12-24'],
  ['2026', 'Thu 01-01', 'Mon 01-19', 'Mon 02-16', 'Fri 04-03', 'Mon 05-25', 'Fri 06-19', 'Fri 07-03 obs', 'Mon 09-07', 'Thu 11-26', 'Fri 12-25', 'Fri 11-27, Thu 12-24'],
  ['2027', 'Fri 01-01', 'Mon 01-18', 'Mon 02-15', 'Fri 03-26', 'Mon 05-31', 'Fri 06-18 obs', 'Mon 07-05 obs', 'Mon 09-06', 'Thu 11-25', 'Fri 12-24 obs', 'Fri 11-26'],
  ['2028', 'none (Sat)', 'Mon 01-17', 'Mon 02-21', 'Fri 04-14', 'Mon 05-29', 'Mon 06-19', 'Tue 07-04', 'Mon 09-04', 'Thu 11-23', 'Mon 12-25', 'Mon 07-03, Fri 11-24'],
  ['2029', 'Mon 01-01', 'Mon 01-15', 'Mon 02-19', 'Fri 03-30', 'Mon 05-28', 'Tue 06-19', 'Wed 07-04', 'Mon 09-03', 'Thu 11-22', 'Tue 12-25', 'Tue 07-03, Fri 11-23, Mon 12-24'],
  ['2030', 'Tue 01-01', 'Mon 01-21', 'Mon 02-18', 'Fri 04-19', 'Mon 05-27', 'Wed 06-19', 'Thu 07-04', 'Mon 09-02', 'Thu 11-28', 'Wed 12-25', 'Wed 07-03, Fri 11-29, Tue 12-24'],
] as const

const COLUMN_NAMES = [
  HOLIDAY_NAMES.newYear,
  HOLIDAY_NAMES.mlk,
  HOLIDAY_NAMES.washington,
  HOLIDAY_NAMES.goodFriday,
  HOLIDAY_NAMES.memorial,
  HOLIDAY_NAMES.juneteenth,
  HOLIDAY_NAMES.independence,
  HOLIDAY_NAMES.labor,
  HOLIDAY_NAMES.thanksgiving,
  HOLIDAY_NAMES.christmas,
]
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

/** "Wed 07-03" → the date in `year`, checking the weekday the table printed against our day arithmetic. */
function tableDate(year: string, cell: string): string {
  const m = /^(\w{3}) (\d\d-\d\d)/.exec(cell)
  if (!m) throw new Error(`unreadable cell ${cell}`)
  const date = `${year}-${m[2]}`
  expect(`${date} ${WEEKDAYS[weekdayOfDayIndex(dayIndexOfDate(date))]}`).toBe(`${date} ${m[1]}`)
  return date
}

describe('the 2020–2030 table of market-rules.md §1.4', () => {
  for (const [year, ...cells] of TABLE_1_4) {
    it(`${year}: exactly the table's full-day closures and 13:00 closes`, () => {
      const closed = new Map<string, string>()
      cells.slice(0, 10).forEach((cell, i) => {
        if (cell === '—' || cell === 'none (Sat)') return
        closed.set(tableDate(year, cell), COLUMN_NAMES[i]!)
        const extra = /\(\+(\w{3} \d\d-\d\d) Carter\)/.exec(cell)
        if (extra) closed.set(tableDate(year, extra[1]!), 'National Day of Mourning for Jimmy Carter')
      })
      const early = cells[10].split(', ').map((c) => tableDate(year, c))

      // Every weekday of the year: closed exactly on the table's days, 13:00 exactly on its early closes.
      const seenClosed = new Map<string, string | null>()
      const seenEarly: string[] = []
      for (let d = dayIndexOfDate(`${year}-01-01`); d <= dayIndexOfDate(`${year}-12-31`); d++) {
        const date = dateOfDayIndex(d)
        const weekday = weekdayOfDayIndex(d)
        if (weekday === 0 || weekday === 6) {
          expect(isTradingDay(date)).toBe(false)
          continue
        }
        if (!isTradingDay(date)) seenClosed.set(date, sessionAt(Date.parse(`${date}T17:00:00Z`)).holiday)
        else if (scheduleOf(date)!.earlyClose) seenEarly.push(date)
      }
      expect(seenClosed).toEqual(closed)
      expect(seenEarly).toEqual(early)
      expect(specialDaysOfYear(Number(year)).map((d) => d.date)).toEqual([...closed.keys(), ...early].sort())
      for (const date of early) {
        const s = scheduleOf(date)!
        expect(new Date(s.close).toISOString()).toBe(
          new Date(Date.parse(`${date}T13:00:00Z`) + offsetHours(date) * 3_600_000).toISOString(),
        )
        expect(s.postClose - s.close).toBe(4 * 3_600_000)
      }
    })
  }
})

/** Hours NY is behind UTC on a date at noon (4 in summer, 5 in winter), from Intl rather than our own DST code. */
function offsetHours(date: string): number {
  const noonUtc = Date.parse(`${date}T12:00:00Z`)
  const hour = Number(
    new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(
      noonUtc,
    ),
  )
  return 12 - hour
}

const closedName = (date: string) => (isTradingDay(date) ? null : sessionAt(Date.parse(`${date}T17:00:00Z`)).holiday)
const closesEarly = (date: string) => scheduleOf(date)?.earlyClose ?? null

describe('observance rules', () => {
  it("should not observe a Saturday New Year's Day on the Friday before (2011, 2022, 2028) and observe a Sunday one on Monday", () => {
    for (const friday of ['2010-12-31', '2021-12-31', '2027-12-31']) {
      expect(isTradingDay(friday)).toBe(true)
      expect(closesEarly(friday)).toBe(false)
    }
    expect(isTradingDay('2022-01-03')).toBe(true)
    expect(closedName('2017-01-02')).toBe("New Year's Day")
    expect(closedName('2023-01-02')).toBe("New Year's Day")
  })

  it('should observe Juneteenth from 2022 only, on the nearest weekday', () => {
    for (const d of ['2021-06-18', '2021-06-21', '2020-06-19']) expect(isTradingDay(d)).toBe(true)
    expect(closedName('2022-06-20')).toBe('Juneteenth')
    expect(closedName('2027-06-18')).toBe('Juneteenth')
    expect(closedName('2033-06-20')).toBe('Juneteenth') // June 19 2033 is a Sunday
  })

  it('should compute Good Friday from the Gregorian Easter', () => {
    const easters = [
      '2000-04-23',
      '2008-03-23',
      '2011-04-24',
      '2016-03-27',
      '2019-04-21',
      '2024-03-31',
      '2025-04-20',
      '2038-04-25',
    ]
    for (const e of easters) expect(dateOfDayIndex(easterSunday(Number(e.slice(0, 4))))).toBe(e)
    for (let y = 2000; y <= 2100; y++) {
      const easter = easterSunday(y)
      expect(weekdayOfDayIndex(easter)).toBe(0)
      expect(easter).toBeGreaterThanOrEqual(dayIndexOfDate(`${y}-03-22`))
      expect(easter).toBeLessThanOrEqual(dayIndexOfDate(`${y}-04-25`))
      expect(closedName(dateOfDayIndex(easter - 2))).toBe('Good Friday')
    }
  })

  it('should observe MLK Day from 1998', () => {
    expect(isTradingDay('1997-01-20')).toBe(true)
    expect(closedName('1998-01-19')).toBe('Martin Luther King Jr. Day')
  })

  it('should move Independence Day off weekends and close at 13:00 on July 3 when it is Mon–Thu (Wednesday since 2013)', () => {
    expect(closedName('2020-07-03')).toBe('Independence Day')
    expect(closesEarly('2020-07-02')).toBe(false) // July 3 is the holiday: no early close the day before
    expect(closedName('2021-07-05')).toBe('Independence Day')
    expect(closesEarly('2021-07-02')).toBe(false) // July 3 a Saturday: no early close
    expect(closesEarly('2013-07-03')).toBe(true) // the first Wednesday case
    expect(closesEarly('2013-07-05')).toBe(false)
    expect(closesEarly('2002-07-03')).toBe(false) // before 2013 a Thursday July 4 closed Friday July 5 early instead
    expect(closesEarly('2002-07-05')).toBe(true)
    expect(closesEarly('2007-07-03')).toBe(true) // Tuesday
  })

  it('should move Christmas off weekends and close at 13:00 on Christmas Eve when it is Mon–Thu', () => {
    expect(closedName('2021-12-24')).toBe('Christmas')
    expect(closesEarly('2021-12-23')).toBe(false)
    expect(closedName('2022-12-26')).toBe('Christmas')
    expect(closesEarly('2022-12-23')).toBe(false) // Dec 24 a Saturday
    expect(closesEarly('2026-12-24')).toBe(true)
    expect(closesEarly('2025-12-26')).toBe(false) // federal agencies closed, exchanges not
  })

  it('should close at 13:00 the Friday after Thanksgiving, every year', () => {
    for (let y = 2000; y <= 2100; y++) {
      const special = specialDaysOfYear(y).filter((d) => d.name === 'Thanksgiving')
      expect(special.map((d) => d.status)).toEqual(['closed', 'early_close'])
      expect(special[1]!.dayIndex - special[0]!.dayIndex).toBe(1)
      expect(weekdayOfDayIndex(special[1]!.dayIndex)).toBe(5)
    }
  })

  it('should close on the unscheduled closures since 2012 and trade around them', () => {
    expect(closedName('2012-10-29')).toBe('Hurricane Sandy')
    expect(closedName('2012-10-30')).toBe('Hurricane Sandy')
    expect(isTradingDay('2012-10-31')).toBe(true)
    expect(closedName('2018-12-05')).toBe('National Day of Mourning for George H. W. Bush')
    expect(closedName('2025-01-09')).toBe('National Day of Mourning for Jimmy Carter')
  })

  it('should have 9 to 13 special days and 247 to 253 trading days in every year 2000–2100', () => {
    for (let y = 2000; y <= 2100; y++) {
      const count = tradingDaysBetween(`${y}-01-01`, `${y}-12-31`).length
      expect(count).toBeGreaterThanOrEqual(247)
      expect(count).toBeLessThanOrEqual(253)
      expect(specialDaysOfYear(y).length).toBeGreaterThanOrEqual(9)
    }
  })
})

describe('trading days', () => {
  it('should step over long weekends, holidays and year ends', () => {
    expect(previousTradingDay('2026-04-06')).toBe('2026-04-02') // Good Friday
    expect(nextTradingDay('2026-04-02')).toBe('2026-04-06')
    expect(nextTradingDay('2021-12-31')).toBe('2022-01-03') // Saturday New Year not observed
    expect(nextTradingDay('2026-12-31')).toBe('2027-01-04')
    expect(previousTradingDay('2027-01-04')).toBe('2026-12-31')
    expect(previousTradingDay('2023-01-03')).toBe('2022-12-30')
    expect(nextTradingDay('2022-12-23')).toBe('2022-12-27')
    expect(nextTradingDay('2012-10-26')).toBe('2012-10-31') // Hurricane Sandy
    expect(previousTradingDay('2026-05-26')).toBe('2026-05-22') // Memorial Day
    expect(nextTradingDay('2026-03-07')).toBe('2026-03-09') // from a Saturday
  })

  it('should list the trading days of a range, both ends included', () => {
    expect(tradingDaysBetween('2025-12-20', '2026-01-05')).toEqual([
      '2025-12-22',
      '2025-12-23',
      '2025-12-24',
      '2025-12-26',
      '2025-12-29',
      '2025-12-30',
      '2025-12-31',
      '2026-01-02',
      '2026-01-05',
    ])
    expect(tradingDaysBetween('2026-01-05', '2026-01-05')).toEqual(['2026-01-05'])
    expect(tradingDaysBetween('2026-01-06', '2026-01-05')).toEqual([])
  })

  it('should refuse a day that is not YYYY-MM-DD', () => {
    for (const bad of ['2026-02-30', '2026-1-05', '20260105', '', '2026-01-05T00:00:00Z'])
      expect(() => isTradingDay(bad)).toThrow(RangeError)
  })
})
