/** Tests for the calendar's upcoming holidays and for provider overrides merged over the computed days. */

import { describe, expect, it } from 'bun:test'
import { exchangeCalendar, upcomingHolidays, usEquityCalendar } from './calendar.ts'

describe('upcoming holidays', () => {
  it('should list the next closed and early-close days from today on, with times on early closes only', () => {
    const h = upcomingHolidays(Date.UTC(2026, 10, 26, 15), 4) // Thanksgiving 2026, 10:00 New York
    expect(h).toEqual([
      { date: '2026-11-26', name: 'Thanksgiving', status: 'closed', open: null, close: null },
      {
        date: '2026-11-27',
        name: 'Thanksgiving',
        status: 'early_close',
        open: Date.UTC(2026, 10, 27, 14, 30),
        close: Date.UTC(2026, 10, 27, 18),
      },
      {
        date: '2026-12-24',
        name: 'Christmas',
        status: 'early_close',
        open: Date.UTC(2026, 11, 24, 14, 30),
        close: Date.UTC(2026, 11, 24, 18),
      },
      { date: '2026-12-25', name: 'Christmas', status: 'closed', open: null, close: null },
    ])
    expect(upcomingHolidays(Date.UTC(2026, 10, 26, 15), 0)).toEqual([])
    expect(upcomingHolidays(Date.UTC(2026, 11, 26, 12), 2).map((x) => x.date)).toEqual(['2027-01-01', '2027-01-18'])
    // 00:00 UTC on the 26th is still Christmas evening in New York.
    expect(upcomingHolidays(Date.UTC(2026, 11, 26), 1).map((x) => x.date)).toEqual(['2026-12-25'])
  })
})

describe('provider overrides', () => {
  it('should let an unscheduled closure, an early close with its times and a reopened day win over the rules', () => {
    const cal = exchangeCalendar([
      { date: '2026-03-10', name: 'National Day of Mourning', status: 'closed' },
      {
        date: '2026-03-11',
        name: 'Weather',
        status: 'early_close',
        open: Date.UTC(2026, 2, 11, 13, 30),
        close: Date.UTC(2026, 2, 11, 18),
      },
      { date: '2026-11-27', name: 'Thanksgiving', status: 'closed' },
      { date: '2026-04-03', name: 'Good Friday', status: 'open' },
      { date: '2026-03-14', name: 'Saturday', status: 'early_close' },
    ])
    expect(cal.isTradingDay('2026-03-10')).toBe(false)
    expect(cal.sessionAt(Date.UTC(2026, 2, 10, 15))).toMatchObject({
      market: 'closed',
      holiday: 'National Day of Mourning',
    })
    expect(cal.nextTradingDay('2026-03-09')).toBe('2026-03-11')
    expect(cal.sessionAt(Date.UTC(2026, 2, 11, 17, 59))).toMatchObject({
      market: 'open',
      earlyClose: true,
      holiday: 'Weather',
    })
    expect(cal.sessionAt(Date.UTC(2026, 2, 11, 18))).toMatchObject({ market: 'post', until: Date.UTC(2026, 2, 11, 22) })
    expect(cal.isTradingDay('2026-11-27')).toBe(false)
    expect(cal.isTradingDay('2026-04-03')).toBe(true)
    expect(cal.scheduleOf('2026-04-03')!.earlyClose).toBe(false)
    expect(cal.isTradingDay('2026-03-14')).toBe(false) // weekends stay closed
    expect(cal.upcomingHolidays(Date.UTC(2026, 2, 9), 3).map((x) => [x.date, x.status])).toEqual([
      ['2026-03-10', 'closed'],
      ['2026-03-11', 'early_close'],
      ['2026-05-25', 'closed'],
    ])
    // The computed calendar is untouched.
    expect(usEquityCalendar.isTradingDay('2026-03-10')).toBe(true)
    expect(usEquityCalendar.isTradingDay('2026-04-03')).toBe(false)
  })

  it('should default an early close to 09:30–13:00 New York and refuse malformed overrides', () => {
    const cal = exchangeCalendar([{ date: '2026-07-06', name: 'Heat', status: 'early_close' }])
    expect(cal.scheduleOf('2026-07-06')).toMatchObject({
      open: Date.UTC(2026, 6, 6, 13, 30),
      close: Date.UTC(2026, 6, 6, 17),
    })
    const bad = [
      { date: '2026-13-01', name: 'x', status: 'closed' },
      { date: '2026-07-06', name: '', status: 'closed' },
      { date: '2026-07-06', name: 'x', status: 'half' },
      {
        date: '2026-07-06',
        name: 'x',
        status: 'early_close',
        open: Date.UTC(2026, 6, 6, 17),
        close: Date.UTC(2026, 6, 6, 16),
      },
      { date: '2026-07-06', name: 'x', status: 'early_close', close: Date.UTC(2026, 6, 7, 17) },
    ]
    for (const o of bad) expect(() => exchangeCalendar([o as never])).toThrow(RangeError)
  })
})
