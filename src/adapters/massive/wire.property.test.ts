/** Properties of the Massive REST wire parsers: any body maps or fails as a named 502, aggregates round-trip, snapshot prices are usable. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString, outcome } from '../../../test/support/properties'
import { mapSnapshot, parseAggsPage, parseSnapshotList, parseTickerDetails, toUnixMs } from './wire'

const upstreamCodes = ['UPSTREAM_BAD_RESPONSE', 'UPSTREAM_ERROR', 'UPSTREAM_NOT_AUTHORIZED']
/** A value where a number belongs: usually a sane one, sometimes anything at all. */
const price = fc.double({ min: 0.0001, max: 1e6, noNaN: true })
const numberish = fc.oneof(
  { arbitrary: price, weight: 4 },
  fc.double(),
  fc.integer(),
  fc.jsonValue(),
  fc.constant(undefined),
)
const status = fc.oneof(fc.constantFrom('OK', 'DELAYED', 'ERROR', 'NOT_AUTHORIZED', 'NOT_FOUND'), fc.jsonValue())
const barLike = fc.record(
  { t: numberish, o: numberish, h: numberish, l: numberish, c: numberish, v: numberish, vw: numberish, n: numberish },
  { requiredKeys: [] },
)
const aggsLike = fc.record(
  {
    status,
    results: fc.oneof(
      fc.array(fc.oneof({ arbitrary: barLike, weight: 5 }, fc.jsonValue()), { maxLength: 4 }),
      fc.jsonValue(),
    ),
    next_url: fc.oneof(fc.webUrl(), fc.jsonValue()),
    error: fc.oneof(hostileString, fc.jsonValue()),
  },
  { requiredKeys: [] },
)
const part = (fields: string[]) =>
  fc.oneof(fc.record(Object.fromEntries(fields.map((f) => [f, numberish])), { requiredKeys: [] }), fc.jsonValue())
const snapshotLike = fc.record(
  {
    ticker: fc.oneof({ arbitrary: fc.stringMatching(/^[A-Z]{1,5}$/), weight: 5 }, fc.jsonValue()),
    lastTrade: part(['p', 't']),
    min: part(['c', 't']),
    day: part(['o', 'h', 'l', 'c', 'v']),
    prevDay: part(['c']),
    todaysChange: numberish,
    todaysChangePerc: numberish,
    updated: numberish,
  },
  { requiredKeys: [] },
)
const anyBody = fc.oneof(
  fc.jsonValue(),
  aggsLike,
  fc.record(
    { status, tickers: fc.oneof(fc.array(snapshotLike, { maxLength: 4 }), fc.jsonValue()) },
    { requiredKeys: [] },
  ),
  fc.record({ status, results: fc.jsonValue() }, { requiredKeys: [] }),
)

describe('Massive REST wire (properties)', () => {
  it('should map any body or refuse it with a named upstream error, never another throw', () => {
    holds(
      fc.property(anyBody, (body) => {
        const aggs = outcome(upstreamCodes, () => parseAggsPage(body))
        if (aggs.ok)
          for (const bar of aggs.value.bars) for (const v of Object.values(bar)) expect(Number.isFinite(v)).toBe(true)
        const snaps = outcome(upstreamCodes, () => parseSnapshotList(body))
        if (snaps.ok)
          for (const s of snaps.value) {
            expect(typeof s.ticker).toBe('string')
            expect(s.last > 0 && s.prevClose > 0 && Number.isFinite(s.last)).toBe(true)
            expect(Number.isFinite(s.updatedAt)).toBe(true)
          }
        const details = outcome(upstreamCodes, () => parseTickerDetails(body))
        if (details.ok) expect(typeof details.value).toBe('boolean')
      }),
    )
  })

  it('should read aggregates back exactly, vw and n defaulted when absent', () => {
    const bar = fc.record({
      t: fc.integer({ min: 0, max: 4e12 }),
      o: price,
      h: price,
      l: price,
      c: price,
      v: fc.integer({ min: 0, max: 1e9 }),
      vw: fc.option(price, { nil: undefined }),
      n: fc.option(fc.nat(), { nil: undefined }),
    })
    holds(
      fc.property(
        fc.array(bar, { maxLength: 20 }),
        fc.option(fc.webUrl(), { nil: null }),
        fc.constantFrom('OK', 'DELAYED'),
        (bars, next, s) => {
          const body = JSON.parse(JSON.stringify({ status: s, results: bars, next_url: next ?? undefined }))
          expect(parseAggsPage(body)).toEqual({
            bars: bars.map((b) => ({ ...b, vw: b.vw ?? b.c, n: b.n ?? 0 })),
            nextUrl: next,
          })
        },
      ),
    )
  })

  it('should price a snapshot from its last trade, else the minute, the day or the previous close, never from garbage', () => {
    holds(
      fc.property(snapshotLike, fc.stringMatching(/^[A-Z]{1,5}$/), (item, ticker) => {
        const snap = mapSnapshot({ ...item, ticker })
        if (snap === null) return
        expect(snap.ticker).toBe(ticker)
        expect(Number.isFinite(snap.last) && snap.last > 0).toBe(true)
        expect(Number.isFinite(snap.prevClose) && snap.prevClose > 0).toBe(true)
        expect(typeof snap.change === 'number' && typeof snap.changePct === 'number').toBe(true)
        const p = (item.lastTrade as Record<string, unknown> | undefined)?.p
        if (typeof p === 'number' && Number.isFinite(p) && p > 0) expect(snap.last).toBe(p)
      }),
    )
  })

  it('should read provider timestamps in ms, µs or ns as the same Unix ms', () => {
    holds(
      fc.property(fc.integer({ min: 1e12, max: 9e12 }), (ms) => {
        expect(toUnixMs(ms)).toBe(ms)
        expect(toUnixMs(ms * 1e3)).toBe(ms)
        expect(Math.abs(toUnixMs(ms * 1e6) - ms)).toBeLessThanOrEqual(1)
      }),
    )
  })
})
