/** regularHoursOnly keeps minute bars from 09:30 to the day's close, New York time, across DST and early closes, and none on closed days. */
import { describe, expect, it } from 'bun:test'
import type { Bar } from './market-types'
import { regularHoursOnly } from './regular-hours'

const bar = (iso: string): Bar => ({ t: Date.parse(iso), o: 1, h: 1, l: 1, c: 1, v: 1, vw: 1, n: 1 })
const times = (bars: Bar[]) => bars.map((b) => new Date(b.t).toISOString())

describe('regularHoursOnly', () => {
  it('should keep 09:30 to 15:59 New York on an ordinary day (EST and EDT)', () => {
    // 2026-12-04 (EST, UTC-5) and 2026-07-07 (EDT, UTC-4).
    const input = [
      bar('2026-12-04T14:29:00Z'),
      bar('2026-12-04T14:30:00Z'),
      bar('2026-12-04T20:59:00Z'),
      bar('2026-12-04T21:00:00Z'),
      bar('2026-07-07T13:29:00Z'),
      bar('2026-07-07T13:30:00Z'),
      bar('2026-07-07T19:59:00Z'),
      bar('2026-07-07T20:00:00Z'),
    ]
    expect(times(regularHoursOnly(input))).toEqual([
      '2026-12-04T14:30:00.000Z',
      '2026-12-04T20:59:00.000Z',
      '2026-07-07T13:30:00.000Z',
      '2026-07-07T19:59:00.000Z',
    ])
  })

  it('should end at 13:00 on an early-close day and keep nothing on a holiday or a weekend', () => {
    const input = [
      bar('2026-11-27T17:59:00Z'), // 12:59 New York, day after Thanksgiving
      bar('2026-11-27T18:00:00Z'), // 13:00: closed
      bar('2026-11-26T15:00:00Z'), // Thanksgiving
      bar('2026-12-05T15:00:00Z'), // Saturday
    ]
    expect(times(regularHoursOnly(input))).toEqual(['2026-11-27T17:59:00.000Z'])
  })
})
