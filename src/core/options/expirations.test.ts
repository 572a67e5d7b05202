/** Expiration calendar: weeklies, monthlies and LEAPS listed on a day, moved off exchange holidays, their kinds, and the expiry at the day's close. */
import { describe, expect, it } from 'bun:test'
import { exchangeCalendar, isTradingDay } from '../calendar'
import { dateOfDayIndex, nyDayIndex } from '../market-time'
import { dayOfDate, daysToExpiry, expirationKind, expiryInstant, listedExpirations, yearsToExpiry } from './expirations'

const WED = dayOfDate('2025-03-12')

describe('listedExpirations', () => {
  it('should list Fridays (Thursdays before holiday Fridays) for six weeks, third Fridays for six months and two January LEAPS', () => {
    const listed = listedExpirations(WED)
    expect(listed).toEqual([
      { date: '2025-03-14', kind: 'weekly' },
      { date: '2025-03-21', kind: 'monthly' },
      { date: '2025-03-28', kind: 'weekly' },
      { date: '2025-04-04', kind: 'weekly' },
      { date: '2025-04-11', kind: 'weekly' },
      { date: '2025-04-17', kind: 'monthly' }, // Good Friday: the Thursday before
      { date: '2025-05-16', kind: 'monthly' },
      { date: '2025-06-20', kind: 'monthly' },
      { date: '2025-07-18', kind: 'monthly' },
      { date: '2025-08-15', kind: 'monthly' },
      { date: '2025-09-19', kind: 'monthly' },
      { date: '2026-01-16', kind: 'leaps' },
      { date: '2027-01-15', kind: 'leaps' },
    ])
  })

  it('should keep an expiration through its own day and drop it the day after', () => {
    expect(listedExpirations(dayOfDate('2025-03-21'))[0]).toEqual({ date: '2025-03-21', kind: 'monthly' })
    expect(listedExpirations(dayOfDate('2025-03-22'))[0]!.date).toBe('2025-03-28')
  })

  it('should be ascending, unique and never before today, on any day of the year', () => {
    for (let d = WED; d < WED + 400; d += 3) {
      const dates = listedExpirations(d).map((e) => dayOfDate(e.date))
      expect(dates[0]).toBeGreaterThanOrEqual(d)
      for (let i = 1; i < dates.length; i++) expect(dates[i]).toBeGreaterThan(dates[i - 1]!)
      expect(listedExpirations(d).filter((e) => e.kind === 'leaps')).toHaveLength(2)
    }
  })
})

describe('expirationKind and expiry', () => {
  it('should classify by weekday, third Friday and distance', () => {
    expect(expirationKind('2025-03-14', WED)).toBe('weekly')
    expect(expirationKind('2025-03-21', WED)).toBe('monthly')
    expect(expirationKind('2025-03-19', WED)).toBe('other')
    expect(expirationKind('2026-01-16', WED)).toBe('leaps')
    expect(expirationKind('2026-01-16', dayOfDate('2025-07-01'))).toBe('monthly')
    expect(expirationKind('2026-01-16', dayOfDate('2025-06-30'))).toBe('leaps')
  })

  it('should expire at 16:00 New York, in summer and in winter', () => {
    expect(expiryInstant('2025-03-21')).toBe(Date.UTC(2025, 2, 21, 20))
    expect(expiryInstant('2025-12-19')).toBe(Date.UTC(2025, 11, 19, 21))
    expect(nyDayIndex(expiryInstant('2025-12-19'))).toBe(dayOfDate('2025-12-19'))
    expect(yearsToExpiry('2026-03-21', Date.UTC(2025, 2, 21, 20))).toBeCloseTo(1, 2)
    expect(yearsToExpiry('2025-03-21', Date.UTC(2025, 2, 21, 21))).toBeLessThan(0)
  })
})

describe('expirations on exchange holidays (market-rules.md §6)', () => {
  it('should list the Thursdays before Christmas 2026 and New Year 2027, never the holidays', () => {
    const listed = listedExpirations(dayOfDate('2026-12-14'))
    const dates = listed.map((e) => e.date)
    expect(dates).not.toContain('2026-12-25')
    expect(dates).not.toContain('2027-01-01')
    expect(listed.slice(0, 5)).toEqual([
      { date: '2026-12-18', kind: 'monthly' },
      { date: '2026-12-24', kind: 'weekly' },
      { date: '2026-12-31', kind: 'weekly' },
      { date: '2027-01-08', kind: 'weekly' },
      { date: '2027-01-15', kind: 'monthly' },
    ])
  })

  it('should move every holiday Friday of 2020–2030 to the Thursday before, keeping its kind', () => {
    const monthly = ['2022-04-15', '2025-04-18', '2026-06-19', '2027-06-18', '2030-04-19']
    const weekly = [
      '2020-04-10',
      '2020-07-03',
      '2020-12-25',
      '2021-01-01',
      '2021-04-02',
      '2021-12-24',
      '2023-04-07',
      '2024-03-29',
      '2025-07-04',
      '2026-04-03',
      '2026-07-03',
      '2026-12-25',
      '2027-01-01',
      '2027-03-26',
      '2027-12-24',
      '2028-04-14',
      '2029-03-30',
    ]
    for (const [fridays, kind] of [
      [monthly, 'monthly'],
      [weekly, 'weekly'],
    ] as const)
      for (const friday of fridays) {
        const thursday = dateOfDayIndex(dayOfDate(friday) - 1)
        const listed = listedExpirations(dayOfDate(friday) - 8)
        expect(listed).toContainEqual({ date: thursday, kind })
        expect(listed.map((e) => e.date)).not.toContain(friday)
        expect(expirationKind(friday, dayOfDate(friday) - 8)).toBe('other')
      }
  })

  it('should list only trading days, on any day 2020–2030', () => {
    for (let d = dayOfDate('2020-01-01'); d <= dayOfDate('2030-12-31'); d += 3)
      for (const e of listedExpirations(d)) expect(`${e.date} ${isTradingDay(e.date)}`).toBe(`${e.date} true`)
  })

  it('should follow a calendar with provider overrides', () => {
    const calendar = exchangeCalendar([{ date: '2026-03-13', name: 'Closure', status: 'closed' }])
    const listed = listedExpirations(dayOfDate('2026-03-09'), calendar)
    expect(listed[0]).toEqual({ date: '2026-03-12', kind: 'weekly' })
    expect(expirationKind('2026-03-12', dayOfDate('2026-03-09'), calendar)).toBe('weekly')
  })

  it('should drop a moved expiration once its Thursday has passed, even while the Friday is today', () => {
    expect(listedExpirations(dayOfDate('2026-12-24'))[0]!.date).toBe('2026-12-24')
    expect(listedExpirations(dayOfDate('2026-12-25'))[0]!.date).toBe('2026-12-31')
  })

  it('should expire at the 13:00 close on an early-close Thursday', () => {
    expect(expiryInstant('2026-12-24')).toBe(Date.UTC(2026, 11, 24, 18))
    expect(expiryInstant('2025-07-03')).toBe(Date.UTC(2025, 6, 3, 17))
    expect(expiryInstant('2026-12-31')).toBe(Date.UTC(2026, 11, 31, 21))
  })

  it('should count days to expiry from the New York date, not the UTC one', () => {
    // 2026-12-24 03:00 UTC is still the 23rd in New York.
    expect(daysToExpiry('2026-12-24', Date.UTC(2026, 11, 24, 3))).toBe(1)
    expect(daysToExpiry('2026-12-24', Date.UTC(2026, 11, 24, 5))).toBe(0)
    expect(daysToExpiry('2026-12-24', Date.UTC(2026, 11, 25, 3))).toBe(0)
  })
})
