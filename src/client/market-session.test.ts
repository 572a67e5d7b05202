/** The market-session pill's words, from the market status at hand-picked New York times. */
import { describe, expect, it } from 'bun:test'
import { marketStatusAt } from '../core/market-status'
import { usEquityCalendar } from '../core/calendar'
import { newerStatus, sessionPill } from './market-session'

const at = (iso: string, alwaysOpen = false) => sessionPill(marketStatusAt(usEquityCalendar, Date.parse(iso), alwaysOpen))

describe('sessionPill', () => {
  it('says pre-market with today’s open time', () => {
    // Monday 2026-11-30, 05:00 ET (EST)
    expect(at('2026-11-30T10:00:00Z')).toEqual({ state: 'pre', text: 'Pre-market · opens 09:30 ET' })
  })
  it('says open with the close, 13:00 on an early-close day', () => {
    expect(at('2026-11-30T15:00:00Z')).toEqual({ state: 'open', text: 'Open · closes 16:00 ET' })
    expect(at('2026-11-27T15:00:00Z')).toEqual({ state: 'open', text: 'Open · closes 13:00 ET' })
  })
  it('says after-hours with the next open on another day', () => {
    // Wednesday 2026-11-25 18:00 ET: Thursday is Thanksgiving, so the next open is Friday.
    expect(at('2026-11-25T23:00:00Z')).toEqual({ state: 'post', text: 'After-hours · opens Fri 09:30 ET' })
  })
  it('says closed over a weekend and on a holiday, with the next open', () => {
    expect(at('2026-11-28T17:00:00Z')).toEqual({ state: 'closed', text: 'Closed · opens Mon 09:30 ET' })
    expect(at('2026-12-25T17:00:00Z')).toEqual({ state: 'closed', text: 'Closed · opens Mon 09:30 ET' })
  })
  it('says the simulated market is open around the clock, whatever the calendar', () => {
    expect(at('2026-11-28T17:00:00Z', true)).toEqual({ state: 'open', text: 'Open (simulated, always)' })
  })
})

describe('newerStatus', () => {
  it('keeps the newer status when an older answer arrives late', () => {
    const early = marketStatusAt(usEquityCalendar, Date.parse('2026-11-30T14:29:00Z'))
    const late = marketStatusAt(usEquityCalendar, Date.parse('2026-11-30T14:31:00Z'))
    expect(newerStatus(late, early)).toBe(late)
    expect(newerStatus(early, late)).toBe(late)
    expect(newerStatus(null, early)).toBe(early)
  })
})
