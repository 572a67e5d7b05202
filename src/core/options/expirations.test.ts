/** Expiration calendar: weeklies, monthlies and LEAPS listed on a day, their kinds, and the 16:00 New York expiry. */
import { describe, expect, it } from 'bun:test'
import { nyDayIndex } from '../market-time'
import { dayOfDate, expirationKind, expiryInstant, listedExpirations, yearsToExpiry } from './expirations'

const WED = dayOfDate('2025-03-12')

describe('listedExpirations', () => {
  it('should list Fridays for six weeks, third Fridays for six months and two January LEAPS', () => {
    const listed = listedExpirations(WED)
    expect(listed).toEqual([
      { date: '2025-03-14', kind: 'weekly' },
      { date: '2025-03-21', kind: 'monthly' },
      { date: '2025-03-28', kind: 'weekly' },
      { date: '2025-04-04', kind: 'weekly' },
      { date: '2025-04-11', kind: 'weekly' },
      { date: '2025-04-18', kind: 'monthly' },
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
