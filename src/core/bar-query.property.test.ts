/** Properties of the bars query parser and its cursors: any input is a valid query or a documented 400, valid queries and cursors round-trip, altered cursors are refused. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString, outcome } from '../../test/support/properties'
import type { Timespan } from './market-types'
import { barCursorKey, createBarCursorCodec } from './bar-cursor'
import { type BarQuery, barLimits, barRules, nextCursor, parseBarQuery, parseInstant, timespans } from './bar-query'
import { DAY_MS, bucketStart, nextBucketStart } from './market-time'
import { isTickerSyntax } from './validate'

const documented = [
  'INVALID_TICKER',
  'INVALID_TIMESPAN',
  'INVALID_MULTIPLIER',
  'INVALID_FROM',
  'INVALID_TO',
  'INVALID_RANGE',
  'RANGE_TOO_LARGE',
  'INVALID_LIMIT',
  'INVALID_CURSOR',
]
const now = Date.parse('2026-11-20T15:00:00Z')
const cursors = createBarCursorCodec(barCursorKey('property-test-secret'))
const parse = (p: Parameters<typeof parseBarQuery>[0]) => outcome(documented, () => parseBarQuery(p, now, cursors))

/** What every accepted query satisfies, however it was asked: bounded work for one request. */
function expectWellFormed(q: BarQuery): void {
  const rule = barRules[q.timespan]
  expect(isTickerSyntax(q.ticker)).toBe(true)
  expect(timespans).toContain(q.timespan)
  expect(Number.isInteger(q.multiplier) && q.multiplier >= 1 && q.multiplier <= rule.maxMultiplier).toBe(true)
  expect(Number.isInteger(q.limit) && q.limit >= 1 && q.limit <= barLimits.maxLimit).toBe(true)
  expect(Number.isSafeInteger(q.fromMs) && Number.isSafeInteger(q.toMs)).toBe(true)
  expect(q.fromMs).toBeLessThanOrEqual(q.toMs)
  expect(bucketStart(q.timespan, q.multiplier, q.fromMs)).toBe(q.fromMs)
  // `from` snaps back to its bucket start: at most one bucket beyond the span rule.
  const bucket = nextBucketStart(q.timespan, q.multiplier, q.fromMs) - q.fromMs
  expect(q.toMs - q.fromMs).toBeLessThanOrEqual(rule.maxSpanDays * DAY_MS + bucket)
}

const tickerText = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.-]{0,9}$/)
const instantText = fc.oneof(
  fc.integer({ min: 0, max: 999_999_999_999_999 }).map(String),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  hostileString,
)
/** Mostly a well-formed value, sometimes hostile text, sometimes absent: so the deep rules get reached too. */
const mostly = <T>(valid: fc.Arbitrary<T>, absent = 1) =>
  fc.oneof(
    { arbitrary: valid, weight: 6 },
    { arbitrary: hostileString, weight: 2 },
    { arbitrary: fc.constant(undefined), weight: absent },
  )
const rawParams = fc.record(
  {
    ticker: mostly(tickerText),
    timespan: mostly(fc.constantFrom(...timespans)),
    multiplier: mostly(fc.integer({ min: -5, max: 70 }).map(String), 3),
    from: mostly(instantText),
    to: mostly(instantText, 2),
    limit: mostly(fc.integer({ min: -1, max: 10_001 }).map(String), 3),
    cursor: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: hostileString, weight: 1 }),
  },
  { requiredKeys: [] },
)

/** A request every rule accepts, with `from` and `to` as Unix ms or ISO date-times (exact instants). */
const validRequest = fc
  .record({
    ticker: tickerText,
    timespan: fc.constantFrom(...timespans),
    ruleFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    spanFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    from: fc.integer({ min: Date.parse('1990-01-01'), max: Date.parse('2090-01-01') }),
    limit: fc.integer({ min: 1, max: barLimits.maxLimit }),
    iso: fc.boolean(),
  })
  .map((r) => {
    const rule = barRules[r.timespan as Timespan]
    const multiplier = 1 + Math.floor(r.ruleFraction * (rule.maxMultiplier - 1))
    const to = r.from + Math.floor(r.spanFraction * rule.maxSpanDays * DAY_MS)
    const text = (t: number) => (r.iso ? new Date(t).toISOString() : String(t))
    return {
      ...r,
      multiplier,
      to,
      params: {
        ticker: r.ticker,
        timespan: r.timespan,
        multiplier: String(multiplier),
        from: text(r.from),
        to: text(to),
        limit: String(r.limit),
      },
    }
  })

describe('parseBarQuery (properties)', () => {
  it('should turn any parameters into a well-formed query or a documented 400', () => {
    holds(
      fc.property(rawParams, (p) => {
        const r = parse(p)
        if (r.ok) expectWellFormed(r.value)
      }),
    )
  })

  it('should accept every valid request as asked, snapped to its bucket', () => {
    holds(
      fc.property(validRequest, (r) => {
        const q = parseBarQuery(r.params, now, cursors)
        expect(q).toEqual({
          ticker: r.ticker.toUpperCase(),
          timespan: r.timespan as Timespan,
          multiplier: r.multiplier,
          fromMs: bucketStart(r.timespan as Timespan, r.multiplier, r.from),
          toMs: r.to,
          limit: r.limit,
          session: 'all',
        })
        expectWellFormed(q)
      }),
    )
  })

  it('should name the one bad field of an otherwise valid request', () => {
    const fieldCodes: Record<string, string[]> = {
      ticker: ['INVALID_TICKER'],
      timespan: ['INVALID_TIMESPAN', 'INVALID_MULTIPLIER', 'RANGE_TOO_LARGE'],
      multiplier: ['INVALID_MULTIPLIER'],
      from: ['INVALID_FROM', 'INVALID_RANGE', 'RANGE_TOO_LARGE'],
      to: ['INVALID_TO', 'INVALID_RANGE', 'RANGE_TOO_LARGE'],
      limit: ['INVALID_LIMIT'],
      cursor: ['INVALID_CURSOR'],
    }
    holds(
      fc.property(
        validRequest,
        fc.constantFrom(...Object.keys(fieldCodes)),
        fc.oneof(hostileString, instantText, fc.integer({ min: -5, max: 10_001 }).map(String)),
        (r, field, value) => {
          const res = parse({ ...r.params, [field]: value })
          if (res.ok) expectWellFormed(res.value)
          else expect(fieldCodes[field]).toContain(res.code)
        },
      ),
    )
  })

  it('should read a New York date as that whole day, next to the following one', () => {
    holds(
      fc.property(fc.date({ min: new Date('1971-01-01'), max: new Date('2199-12-31'), noInvalidDate: true }), (d) => {
        const day = d.toISOString().slice(0, 10)
        const next = new Date(Date.parse(day) + DAY_MS).toISOString().slice(0, 10)
        const [from, to] = [parseInstant(day, 'from'), parseInstant(day, 'to')]
        expect(to - from + 1).toBeGreaterThanOrEqual(23 * 3600_000)
        expect(to - from + 1).toBeLessThanOrEqual(25 * 3600_000)
        expect(parseInstant(next, 'from')).toBe(to + 1)
      }),
    )
  })
})

describe('bars cursors (properties)', () => {
  /** A genuine cursor: the page after one that ended somewhere inside a valid query. */
  const genuine = fc
    .tuple(validRequest, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: barLimits.maxLimit }))
    .map(([r, at, limit]) => {
      const q = parseBarQuery(r.params, now, cursors)
      const last = bucketStart(q.timespan, q.multiplier, q.fromMs + Math.floor(at * (q.toMs - q.fromMs)))
      const nextFrom = nextBucketStart(q.timespan, q.multiplier, last)
      return { q, nextFrom, limit, cursor: nextCursor(cursors, q, nextFrom) }
    })

  it('should continue a genuine cursor with the same query from where the page stopped', () => {
    holds(
      fc.property(genuine, ({ q, nextFrom, limit, cursor }) => {
        fc.pre(nextFrom <= q.toMs) // a page ending on the last bucket has no next cursor
        const r = parseBarQuery({ cursor, limit: String(limit) }, now, cursors)
        expect(r).toEqual({ ...q, fromMs: nextFrom, limit })
        expectWellFormed(r)
        expect(
          parseBarQuery(
            { cursor, ticker: q.ticker.toLowerCase(), timespan: q.timespan, multiplier: String(q.multiplier) },
            now,
            cursors,
          ).fromMs,
        ).toBe(nextFrom)
      }),
    )
  })

  it('should refuse a genuine cursor with any character changed, removed or added', () => {
    const alphabet = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=%'.split(''))
    holds(
      fc.property(
        genuine,
        fc.nat(),
        alphabet,
        fc.constantFrom('replace', 'remove', 'insert'),
        ({ cursor }, at, c, how) => {
          const i = at % cursor.length
          const altered =
            how === 'replace'
              ? cursor.slice(0, i) + c + cursor.slice(i + 1)
              : how === 'remove'
                ? cursor.slice(0, i) + cursor.slice(i + 1)
                : cursor.slice(0, i) + c + cursor.slice(i)
          fc.pre(altered !== cursor)
          expect(parse({ cursor: altered })).toEqual({ ok: false, code: 'INVALID_CURSOR' })
        },
      ),
    )
  })

  it('should refuse any other text as a cursor', () => {
    holds(
      fc.property(
        fc.oneof(
          hostileString,
          fc.base64String(),
          fc.json().map((j) => Buffer.from(j).toString('base64url')),
        ),
        (cursor) => {
          fc.pre(cursor !== '')
          expect(parse({ cursor })).toEqual({ ok: false, code: 'INVALID_CURSOR' })
        },
      ),
    )
  })

  it('should validate whatever a signed cursor carries like a fresh query (a leaked key or an issuing bug cannot widen a request)', () => {
    const number = fc.oneof(
      fc.integer({ min: -100, max: 100 }),
      fc.integer(),
      fc.double(),
      fc.maxSafeInteger(),
      fc.integer({ min: Date.parse('1990-01-01'), max: Date.parse('2090-01-01') }),
    )
    /** One or two of a genuine cursor's fields replaced, or its range stretched by whole days. */
    const oneChange = fc.oneof(
      fc.record({ ticker: fc.oneof(tickerText, hostileString) }),
      fc.record({ timespan: fc.oneof(fc.constantFrom(...timespans), hostileString) }),
      fc.record({ multiplier: number }),
      fc.record({ fromMs: number }),
      fc.record({ toMs: number }),
      fc.record({ stretchDays: fc.integer({ min: -4000, max: 4000 }) }),
    )
    const changes = fc
      .array(oneChange, { minLength: 1, maxLength: 2 })
      .map((list): { stretchDays?: number } & Record<string, unknown> => Object.assign({}, ...list))
    holds(
      fc.property(genuine, changes, ({ q, nextFrom }, { stretchDays, ...change }) => {
        const state = {
          ticker: q.ticker,
          timespan: q.timespan as string,
          multiplier: q.multiplier,
          fromMs: nextFrom,
          toMs: q.toMs,
          ...change,
        }
        if (stretchDays !== undefined) state.toMs = state.fromMs + stretchDays * DAY_MS
        const r = parse({ cursor: cursors.encode(state) })
        if (r.ok) expectWellFormed(r.value)
        else expect(r.code).toBe('INVALID_CURSOR')
      }),
    )
  })
})
