/** Market status from the calendar, and the provider's now / upcoming turned into calendar overrides. */

import { describe, expect, it } from 'bun:test'
import { exchangeCalendar, usEquityCalendar } from './calendar.ts'
import { marketStatusAt, overrideFromNow, overridesFromUpcoming, UNSCHEDULED_CLOSURE_NAME } from './market-status.ts'

const et = (iso: string) => Date.parse(iso) // ISO with an explicit New York offset

describe('marketStatusAt', () => {
  it('describes a regular session: open, today’s open and close, the next open tomorrow', () => {
    const s = marketStatusAt(usEquityCalendar, et('2026-12-08T10:00:00-05:00'))
    expect(s).toMatchObject({
      market: 'open',
      server_time: '2026-12-08T15:00:00.000Z',
      session_opens_at: '2026-12-08T14:30:00.000Z',
      session_closes_at: '2026-12-08T21:00:00.000Z',
      next_open: '2026-12-09T14:30:00.000Z',
      next_close: '2026-12-08T21:00:00.000Z',
      early_close: false,
      holiday: null,
    })
    expect(s.simulated_always_open).toBeUndefined()
    expect(s.upcoming[0]).toEqual({
      date: '2026-12-24',
      name: 'Christmas',
      status: 'early_close',
      open: '2026-12-24T14:30:00.000Z',
      close: '2026-12-24T18:00:00.000Z',
    })
    expect(s.upcoming[1]).toEqual({ date: '2026-12-25', name: 'Christmas', status: 'closed', open: null, close: null })
    expect(s.upcoming).toHaveLength(10)
  })

  it('says closed on a holiday, with its name and no session', () => {
    const s = marketStatusAt(usEquityCalendar, et('2026-12-25T12:00:00-05:00'))
    expect(s).toMatchObject({
      market: 'closed',
      holiday: 'Christmas',
      session_opens_at: null,
      session_closes_at: null,
      next_open: '2026-12-28T14:30:00.000Z',
    })
  })

  it('says open with simulated_always_open when the simulated market trades around the clock', () => {
    const s = marketStatusAt(usEquityCalendar, et('2026-12-05T03:00:00-05:00'), true)
    expect(s.market).toBe('open')
    expect(s.simulated_always_open).toBe(true)
    expect(s.next_open).toBe('2026-12-07T14:30:00.000Z')
  })
})

describe('overrideFromNow', () => {
  const cal = usEquityCalendar

  it('turns "closed" in a computed session into an unscheduled closure of that day', () => {
    expect(overrideFromNow(cal, { market: 'closed', serverTime: et('2026-12-08T11:00:00-05:00') })).toEqual({
      date: '2026-12-08',
      name: UNSCHEDULED_CLOSURE_NAME,
      status: 'closed',
    })
    expect(overrideFromNow(cal, { market: 'closed', serverTime: et('2026-12-08T05:00:00-05:00') })?.status).toBe(
      'closed',
    )
  })

  it('turns trading on a computed weekday holiday into an ordinary day, never a weekend', () => {
    expect(overrideFromNow(cal, { market: 'open', serverTime: et('2026-12-25T11:00:00-05:00') })).toEqual({
      date: '2026-12-25',
      name: 'Christmas',
      status: 'open',
    })
    expect(overrideFromNow(cal, { market: 'open', serverTime: et('2026-12-26T11:00:00-05:00') })).toBeNull()
  })

  it('overrides nothing when they agree, near a session boundary, or for an unknown market value', () => {
    expect(overrideFromNow(cal, { market: 'open', serverTime: et('2026-12-08T11:00:00-05:00') })).toBeNull()
    expect(overrideFromNow(cal, { market: 'pre', serverTime: et('2026-12-08T11:00:00-05:00') })).toBeNull()
    expect(overrideFromNow(cal, { market: 'closed', serverTime: et('2026-12-08T20:01:00-05:00') })).toBeNull()
    expect(overrideFromNow(cal, { market: 'closed', serverTime: et('2026-12-08T19:59:00-05:00') })).toBeNull()
    expect(overrideFromNow(cal, { market: null, serverTime: et('2026-12-08T11:00:00-05:00') })).toBeNull()
  })

  it('yields a calendar that says closed for the rest of that day', () => {
    const override = overrideFromNow(cal, { market: 'closed', serverTime: et('2026-12-08T11:00:00-05:00') })!
    const merged = exchangeCalendar([override])
    expect(merged.sessionAt(et('2026-12-08T15:00:00-05:00')).market).toBe('closed')
    expect(merged.sessionAt(et('2026-12-08T15:00:00-05:00')).holiday).toBe(UNSCHEDULED_CLOSURE_NAME)
    expect(merged.nextOpen(et('2026-12-08T15:00:00-05:00'))).toBe(et('2026-12-09T09:30:00-05:00'))
  })
})

describe('overridesFromUpcoming', () => {
  it('keeps one row per date (NYSE first, then Nasdaq), ignores OTC, and carries early-close times', () => {
    const open = et('2026-11-27T09:30:00-05:00')
    const close = et('2026-11-27T13:00:00-05:00')
    expect(
      overridesFromUpcoming([
        { date: '2026-11-27', exchange: 'NASDAQ', name: 'Thanksgiving', status: 'early_close', open, close },
        { date: '2026-11-26', exchange: 'OTC', name: 'Thanksgiving', status: 'closed', open: null, close: null },
        {
          date: '2026-11-26',
          exchange: 'NASDAQ',
          name: 'Thanksgiving (Nasdaq)',
          status: 'closed',
          open: null,
          close: null,
        },
        { date: '2026-11-26', exchange: 'NYSE', name: 'Thanksgiving', status: 'closed', open: null, close: null },
        { date: '2026-12-31', exchange: 'OTC', name: 'OTC only', status: 'closed', open: null, close: null },
      ]),
    ).toEqual([
      { date: '2026-11-26', name: 'Thanksgiving', status: 'closed' },
      { date: '2026-11-27', name: 'Thanksgiving', status: 'early_close', open, close },
    ])
  })
})
