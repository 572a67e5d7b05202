/** Bars query parsing: date forms, snapping, defaults, cursors. */
import { describe, expect, it } from 'bun:test'
import { barCursorKey, createBarCursorCodec } from './bar-cursor'
import { nextCursor, parseBarQuery, parseInstant } from './bar-query'

const now = Date.parse('2026-11-20T15:00:00Z')
const cursors = createBarCursorCodec(barCursorKey('unit-test-secret'))

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
    const q = parseBarQuery({ ticker: 'aapl', timespan: 'hour', from: '2026-11-19T14:37:00Z' }, now, cursors)
    expect(q).toEqual({
      ticker: 'AAPL',
      timespan: 'hour',
      multiplier: 1,
      fromMs: Date.parse('2026-11-19T14:00:00Z'),
      toMs: now,
      limit: 1000,
      session: 'all',
    })
  })
  it('should continue from a cursor and refuse one for another ticker', () => {
    const q = parseBarQuery({ ticker: 'AAPL', timespan: 'minute', from: '2026-11-19' }, now, cursors)
    const c = nextCursor(cursors, q, q.fromMs + 60_000)
    expect(parseBarQuery({ cursor: c }, now, cursors).fromMs).toBe(q.fromMs + 60_000)
    expect(() => parseBarQuery({ cursor: c, ticker: 'MSFT' }, now, cursors)).toThrow(/different/)
  })
  const code = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return (e as { code?: string; details?: { reason?: string } }).code + ':' + ((e as any).details?.reason ?? '')
    }
    return 'no error'
  }
  it('should refuse a hand-made cursor: unsigned, signed with another key, or altered', () => {
    const day = Date.parse('2025-01-02T05:00:00Z')
    const state = { ticker: 'AAPL', timespan: 'minute', multiplier: 1, fromMs: day, toMs: day + 3600_000 }
    const unsigned = Buffer.from(
      JSON.stringify({ v: 1, tk: 'AAPL', ts: 'minute', m: 1, f: day, t: day + 365 * 86_400_000 }),
    ).toString('base64url')
    const foreign = createBarCursorCodec(barCursorKey('another-secret')).encode(state)
    const genuine = cursors.encode(state)
    const [payload, mac] = genuine.split('.') as [string, string]
    const otherPayload = Buffer.from(
      JSON.stringify({ v: 2, tk: 'AAPL', ts: 'minute', m: 1, f: day, t: day + 86_400_000 }),
    ).toString('base64url')
    for (const cursor of [
      unsigned,
      foreign,
      `${otherPayload}.${mac}`,
      `${payload}.${mac.slice(1)}`,
      `${payload}x.${mac}`,
      `${payload}.${mac}.`,
      'x'.repeat(10_000),
    ])
      expect(code(() => parseBarQuery({ cursor }, now, cursors))).toBe('INVALID_CURSOR:')
    expect(parseBarQuery({ cursor: genuine }, now, cursors).toMs).toBe(day + 3600_000)
  })
  it('should re-validate a signed cursor like a fresh query: every broken rule is INVALID_CURSOR, never a crash', () => {
    const day = Date.parse('2025-01-02T05:00:00Z')
    const ok = { ticker: 'AAPL', timespan: 'minute', multiplier: 1, fromMs: day, toMs: day + 3600_000 }
    const cases: [Partial<typeof ok>, string][] = [
      [{ multiplier: 0 }, 'INVALID_MULTIPLIER'],
      [{ multiplier: -5 }, 'INVALID_MULTIPLIER'],
      [{ multiplier: 1.5 }, 'INVALID_MULTIPLIER'],
      [{ multiplier: 61 }, 'INVALID_MULTIPLIER'],
      [{ timespan: 'second' }, 'INVALID_TIMESPAN'],
      [{ ticker: 'aapl' }, 'INVALID_TICKER'],
      [{ ticker: '$$' }, 'INVALID_TICKER'],
      [{ toMs: day + 365 * 86_400_000 }, 'RANGE_TOO_LARGE'],
      [{ toMs: day - 1 }, 'INVALID_RANGE'],
      [{ fromMs: Number.NaN }, ''], // JSON writes null: not a cursor shape
      [{ fromMs: 1e300 }, 'INVALID_RANGE'],
      [{ fromMs: day + 30_000 }, 'INVALID_FROM'],
    ]
    for (const [change, reason] of cases)
      expect({
        change,
        got: code(() => parseBarQuery({ cursor: cursors.encode({ ...ok, ...change }) }, now, cursors)),
      }).toEqual({
        change,
        got: `INVALID_CURSOR:${reason}`,
      })
  })
})
