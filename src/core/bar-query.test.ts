/** Bars query parsing: date forms, snapping, defaults, cursors. */
import { describe, expect, it } from 'bun:test'
import { encodeCursor, parseBarQuery, parseInstant } from './bar-query'

const now = Date.parse('2026-11-20T15:00:00Z')

describe('parseInstant', () => {
  it('should read a date as a New York day: from its start, to its end', () => {
    expect(parseInstant('2026-07-01', 'from')).toBe(Date.parse('2026-07-01T04:00:00Z'))
    expect(parseInstant('2026-07-01', 'to')).toBe(Date.parse('2026-07-02T04:00:00Z') - 1)
    expect(parseInstant('2026-01-15', 'from')).toBe(Date.parse('2026-01-15T05:00:00Z'))
  })
  it('should read date-times with zones and epoch ms', () => {
    expect(parseInstant('2026-07-01T10:00:00+02:00', 'from')).toBe(Date.parse('2026-07-01T08:00:00Z'))
    expect(parseInstant('1700000000000', 'to')).toBe(1700000000000)
  })
  it('should refuse impossible dates and zone-less date-times', () => {
    expect(() => parseInstant('2026-02-29', 'from')).toThrow()
    expect(() => parseInstant('2026-07-01T10:00', 'from')).toThrow()
    expect(() => parseInstant('-5', 'to')).toThrow()
  })
})

describe('parseBarQuery', () => {
  it('should snap from to its bucket and default to now, multiplier 1, limit 1000', () => {
    const q = parseBarQuery({ ticker: 'aapl', timespan: 'hour', from: '2026-11-19T14:37:00Z' }, now)
    expect(q).toEqual({
      ticker: 'AAPL',
      timespan: 'hour',
      multiplier: 1,
      fromMs: Date.parse('2026-11-19T14:00:00Z'),
      toMs: now,
      limit: 1000,
    })
  })
  it('should continue from a cursor and refuse one for another ticker', () => {
    const q = parseBarQuery({ ticker: 'AAPL', timespan: 'minute', from: '2026-11-19' }, now)
    const c = encodeCursor(q, q.fromMs + 60_000)
    expect(parseBarQuery({ cursor: c }, now).fromMs).toBe(q.fromMs + 60_000)
    expect(() => parseBarQuery({ cursor: c, ticker: 'MSFT' }, now)).toThrow(/different/)
  })
})
