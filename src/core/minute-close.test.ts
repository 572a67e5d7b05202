/** Tests of the empty-minute announcements: which minutes, when, once, and only in trading sessions. */
import { describe, expect, it } from 'bun:test'
import { allDayRegularSession } from './coalesce'
import { closeMinutes, createMinuteCloser, inTradingSessions, nextDecisionAt, noteTraded, startClosing } from './minute-close'

const M = 60_000
const grace = 5_000
// Tuesday 2026-12-01, 10:00:30 New York (regular session).
const t0 = Date.parse('2026-12-01T15:00:30Z')
const minute = (k: number) => Date.parse('2026-12-01T15:00:00Z') + k * M

describe('closeMinutes', () => {
  it('should announce a minute with no live bar and no provider bar once, after its grace, starting after the stream began', () => {
    const c = createMinuteCloser()
    startClosing(c, t0)
    // 10:00 was in progress at the start: not ours to judge. 10:01 decides at 10:02:05.
    expect(nextDecisionAt(c, grace)).toBe(minute(2) + grace)
    expect(closeMinutes(c, { now: minute(2) + grace - 1, graceMs: grace, finalized: [] })).toEqual([])
    expect(closeMinutes(c, { now: minute(2) + grace, graceMs: grace, finalized: [] })).toEqual([minute(1)])
    expect(closeMinutes(c, { now: minute(2) + grace + 30_000, graceMs: grace, finalized: [] })).toEqual([])
    expect(nextDecisionAt(c, grace)).toBe(minute(3) + grace)
  })

  it('should leave out minutes that traded or got a provider bar', () => {
    const c = createMinuteCloser()
    startClosing(c, t0)
    noteTraded(c, minute(1))
    const out = closeMinutes(c, { now: minute(5) + grace, graceMs: grace, finalized: [minute(3)] })
    expect(out).toEqual([minute(2), minute(4)])
  })

  it('should announce nothing outside the trading sessions (night, holiday) by the calendar, and every minute around the clock', () => {
    expect(inTradingSessions(Date.parse('2026-12-01T09:00:00Z'))).toBe(true) // 04:00 New York
    expect(inTradingSessions(Date.parse('2026-12-01T08:59:00Z'))).toBe(false) // 03:59
    expect(inTradingSessions(Date.parse('2026-12-02T00:59:00Z'))).toBe(true) // 19:59
    expect(inTradingSessions(Date.parse('2026-12-02T01:00:00Z'))).toBe(false) // 20:00
    expect(inTradingSessions(Date.parse('2026-11-27T21:59:00Z'))).toBe(true) // 16:59 on the early close
    expect(inTradingSessions(Date.parse('2026-11-27T22:00:00Z'))).toBe(false) // 17:00 on the early close
    expect(inTradingSessions(Date.parse('2026-12-25T16:00:00Z'))).toBe(false) // Christmas
    expect(inTradingSessions(Date.parse('2026-12-25T16:00:00Z'), allDayRegularSession)).toBe(true)
    const c = createMinuteCloser()
    startClosing(c, Date.parse('2026-12-02T00:57:10Z')) // 19:57:10
    expect(closeMinutes(c, { now: Date.parse('2026-12-02T01:03:00Z'), graceMs: grace, finalized: [] }).map((t) => new Date(t).toISOString())).toEqual([
      '2026-12-02T00:58:00.000Z',
      '2026-12-02T00:59:00.000Z',
    ])
  })

  it('should decide at most the last hour after a long gap, and never before the stream started', () => {
    const c = createMinuteCloser()
    expect(closeMinutes(c, { now: t0, graceMs: grace, finalized: [] })).toEqual([])
    startClosing(c, t0)
    const out = closeMinutes(c, { now: minute(180) + grace, graceMs: grace, finalized: [] })
    expect(out.length).toBe(60)
    expect(out[0]).toBe(minute(120))
    expect(out.at(-1)).toBe(minute(179))
  })
})
