/** Tests for the session clock: pre/regular/post boundaries in winter and summer, DST weekends, early closes, weekends and holidays, next open and close. */

import { describe, expect, it } from 'bun:test'
import { nextClose, nextOpen, sessionAt } from './calendar.ts'

const utc = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi)
const MIN = 60_000

describe('sessionAt on an ordinary day', () => {
  it('should walk closed → pre → open → post → closed at 04:00, 09:30, 16:00, 20:00 New York (EST, UTC−5)', () => {
    // Tuesday 2026-01-06.
    const at = (h: number, mi: number) => sessionAt(utc(2026, 1, 6, h + 5, mi)).market
    expect([at(3, 59), at(4, 0), at(9, 29), at(9, 30), at(15, 59), at(16, 0), at(19, 59), at(20, 0)]).toEqual([
      'closed',
      'pre',
      'pre',
      'open',
      'open',
      'post',
      'post',
      'closed',
    ])
    expect(sessionAt(utc(2026, 1, 6, 15))).toEqual({
      market: 'open',
      date: '2026-01-06',
      holiday: null,
      earlyClose: false,
      opensAt: utc(2026, 1, 6, 14, 30),
      closesAt: utc(2026, 1, 6, 21),
      since: utc(2026, 1, 6, 14, 30),
      until: utc(2026, 1, 6, 21),
    })
    expect(sessionAt(utc(2026, 1, 6, 8))).toMatchObject({
      market: 'closed',
      since: utc(2026, 1, 6, 1),
      until: utc(2026, 1, 6, 9),
    })
    expect(sessionAt(utc(2026, 1, 7, 1, 30))).toMatchObject({
      market: 'closed',
      date: '2026-01-06',
      since: utc(2026, 1, 7, 1),
      until: utc(2026, 1, 7, 9),
    })
  })

  it('should use EDT (UTC−4) in summer', () => {
    expect(sessionAt(utc(2026, 7, 7, 13, 29)).market).toBe('pre')
    expect(sessionAt(utc(2026, 7, 7, 13, 30)).market).toBe('open')
    expect(sessionAt(utc(2026, 7, 7, 20)).market).toBe('post')
    expect(sessionAt(utc(2026, 7, 8, 0)).market).toBe('closed')
  })
})

describe('DST changes', () => {
  const hm = (h: number, m: number) => [h, m] as const
  const times = [hm(9, 29), hm(9, 30), hm(15, 59), hm(16, 0)]

  it('should be closed all of Sunday 2026-03-08 (spring forward) and open at 09:30 EST on Friday, 09:30 EDT on Monday', () => {
    for (const [h, m] of times)
      expect(sessionAt(utc(2026, 3, 8, h + 4, m))).toMatchObject({ market: 'closed', holiday: null })
    const sunday = sessionAt(utc(2026, 3, 8, 16))
    expect(sunday.since).toBe(utc(2026, 3, 7, 1)) // Friday 20:00 EST
    expect(sunday.until).toBe(utc(2026, 3, 9, 8)) // Monday 04:00 EDT
    const friday = times.map(([h, m]) => sessionAt(utc(2026, 3, 6, h + 5, m)).market)
    const monday = times.map(([h, m]) => sessionAt(utc(2026, 3, 9, h + 4, m)).market)
    expect(friday).toEqual(['pre', 'open', 'open', 'post'])
    expect(monday).toEqual(['pre', 'open', 'open', 'post'])
    expect(nextOpen(utc(2026, 3, 8, 16))).toBe(utc(2026, 3, 9, 13, 30))
    expect(nextClose(utc(2026, 3, 8, 16))).toBe(utc(2026, 3, 9, 20))
  })

  it('should be closed all of Sunday 2026-11-01 (fall back) and open at 09:30 EDT on Friday, 09:30 EST on Monday', () => {
    for (const [h, m] of times) expect(sessionAt(utc(2026, 11, 1, h + 5, m)).market).toBe('closed')
    const friday = times.map(([h, m]) => sessionAt(utc(2026, 10, 30, h + 4, m)).market)
    const monday = times.map(([h, m]) => sessionAt(utc(2026, 11, 2, h + 5, m)).market)
    expect(friday).toEqual(['pre', 'open', 'open', 'post'])
    expect(monday).toEqual(['pre', 'open', 'open', 'post'])
    expect(sessionAt(utc(2026, 11, 1, 12))).toMatchObject({ since: utc(2026, 10, 31, 0), until: utc(2026, 11, 2, 9) })
    expect(nextOpen(utc(2026, 10, 30, 13, 30))).toBe(utc(2026, 11, 2, 14, 30))
  })
})

describe('early closes, weekends and holidays', () => {
  it('should end the regular session at 13:00 and the post-market at 17:00 on an early-close day', () => {
    // Friday after Thanksgiving 2026 (EST).
    const at = (h: number, mi: number) => sessionAt(utc(2026, 11, 27, h + 5, mi)).market
    expect([at(9, 29), at(9, 30), at(12, 59), at(13, 0), at(16, 59), at(17, 0)]).toEqual([
      'pre',
      'open',
      'open',
      'post',
      'post',
      'closed',
    ])
    expect(sessionAt(utc(2026, 11, 27, 16))).toMatchObject({
      holiday: 'Thanksgiving',
      earlyClose: true,
      closesAt: utc(2026, 11, 27, 18),
      until: utc(2026, 11, 27, 18),
    })
    expect(sessionAt(utc(2026, 11, 27, 18))).toMatchObject({ market: 'post', until: utc(2026, 11, 27, 22) })
    // July 3 2025 (EDT): 13:00 = 17:00Z.
    expect(sessionAt(utc(2025, 7, 3, 16, 59)).market).toBe('open')
    expect(sessionAt(utc(2025, 7, 3, 17)).market).toBe('post')
    expect(sessionAt(utc(2025, 7, 3, 21)).market).toBe('closed')
  })

  it('should be closed all day on weekends and holidays, pre and post included', () => {
    for (let h = 0; h < 24; h++) {
      expect(sessionAt(utc(2026, 3, 7, h + 5)).market).toBe('closed') // Saturday
      expect(sessionAt(utc(2026, 12, 25, h + 5)).market).toBe('closed') // Christmas
    }
    expect(sessionAt(utc(2026, 3, 7, 15)).holiday).toBeNull()
    expect(sessionAt(utc(2026, 12, 25, 15))).toMatchObject({
      holiday: 'Christmas',
      opensAt: null,
      closesAt: null,
      since: utc(2026, 12, 24, 22), // Christmas Eve post-market ends 17:00
      until: utc(2026, 12, 28, 9),
    })
    expect(sessionAt(utc(2025, 1, 9, 16))).toMatchObject({
      market: 'closed',
      holiday: 'National Day of Mourning for Jimmy Carter',
    })
  })
})

describe('nextOpen / nextClose', () => {
  it('should be strictly after the instant: the next day at the open, today before it', () => {
    expect(nextOpen(utc(2026, 1, 6, 14, 29))).toBe(utc(2026, 1, 6, 14, 30))
    expect(nextOpen(utc(2026, 1, 6, 14, 30))).toBe(utc(2026, 1, 7, 14, 30))
    expect(nextClose(utc(2026, 1, 6, 20, 59))).toBe(utc(2026, 1, 6, 21))
    expect(nextClose(utc(2026, 1, 6, 21))).toBe(utc(2026, 1, 7, 21))
  })

  it('should skip long weekends and find early closes', () => {
    expect(nextOpen(utc(2026, 4, 2, 20))).toBe(utc(2026, 4, 6, 13, 30)) // Good Friday weekend
    expect(nextOpen(utc(2026, 12, 24, 18) + MIN)).toBe(utc(2026, 12, 28, 14, 30))
    expect(nextClose(utc(2026, 11, 25, 22))).toBe(utc(2026, 11, 27, 18)) // Thanksgiving, then 13:00
    expect(nextOpen(utc(2012, 10, 26, 21))).toBe(utc(2012, 10, 31, 13, 30)) // Hurricane Sandy
  })
})
