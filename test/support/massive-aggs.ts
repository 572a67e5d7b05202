/** The local Massive fake's aggregates endpoint: bucket snapping, base-bar `limit`, partial-bucket drop and cursor pagination. */

import { aggregateBars, baseTimespanFor } from '../../src/core/bars.ts'
import { bucketStart, DAY_MS, nextBucketStart, nyDayStartOfIndex } from '../../src/core/market-time.ts'
import type { Bar, BaseTimespan, Timespan } from '../../src/core/market-types.ts'

/** Where the fake's base bars come from (the simulated market, as of the server's now()). */
export interface BaseBarSource {
  isKnownTicker(ticker: string): boolean
  baseBars(ticker: string, base: BaseTimespan, fromMs: number, toMs: number): Bar[]
  /** A (split-adjusted) base bar as it printed, for `adjusted=false`; absent: the same bars either way. */
  unadjust?(ticker: string, bar: Bar): Bar
}

/** One base bar of the market changed after the fact (a provider correction), by ticker, timespan and start. */
export interface BarCorrection {
  ticker: string
  timespan: BaseTimespan
  t: number
  patch: Partial<Pick<Bar, 'o' | 'h' | 'l' | 'c' | 'v' | 'vw'>>
}

/** Base bars with the corrections that apply to them. */
export function corrected(ticker: string, base: BaseTimespan, bars: Bar[], fixes: readonly BarCorrection[]): Bar[] {
  if (fixes.length === 0) return bars
  return bars.map((bar) => {
    const fix = fixes.find((c) => c.ticker === ticker && c.timespan === base && c.t === bar.t)
    return fix ? { ...bar, ...fix.patch } : bar
  })
}

/** A handler's answer: HTTP status and a JSON body in the provider's envelope (request_id is added by the server). */
export interface FakeReply {
  status: number
  body: Record<string, unknown>
  /** Sent as is instead of body plus request_id (endpoints that answer a bare array or object). */
  bare?: unknown
}

export const AGGS_PATH = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/

const SUPPORTED: readonly Timespan[] = ['minute', 'hour', 'day', 'week', 'month']
const PROVIDER_ONLY = ['second', 'quarter', 'year']
export const DEFAULT_LIMIT = 5_000
export const MAX_LIMIT = 50_000

/**
 * GET /v2/aggs/ticker/{T}/range/{multiplier}/{timespan}/{from}/{to} (massive-api.md section 2).
 * `from` snaps to the start of its bucket and `to` to the end of its bucket; `limit` counts base
 * bars (default 5000, max 50000) and a bucket cut by the limit is left to the next page, whose
 * next_url carries the rewritten `from` (ms) and an opaque base64 cursor, never the key.
 */
export function handleAggs(url: URL, source: BaseBarSource): FakeReply {
  const [, rawTicker, rawMultiplier, rawTimespan, fromSeg, toSeg] = url.pathname.match(AGGS_PATH)!
  const ticker = decodeURIComponent(rawTicker!)
  const multiplier = Number(rawMultiplier)
  if (!Number.isInteger(multiplier) || multiplier < 1) return badRequest(`Invalid multiplier: '${rawMultiplier}'`)
  if (PROVIDER_ONLY.includes(rawTimespan!)) return badRequest(`timespan '${rawTimespan}' is not supported by the local fake`)
  if (!SUPPORTED.includes(rawTimespan as Timespan)) return badRequest(`Invalid timespan: '${rawTimespan}'`)
  const timespan = rawTimespan as Timespan
  const from = parseTimeParam(fromSeg!, 'start')
  if (from === null) return badRequest("Could not parse the time parameter: 'from'. Use YYYY-MM-DD or Unix MS Timestamps")
  const to = parseTimeParam(toSeg!, 'end')
  if (to === null) return badRequest("Could not parse the time parameter: 'to'. Use YYYY-MM-DD or Unix MS Timestamps")
  if (to < from) return badRequest("The parameter 'to' cannot be a time that occurs before 'from'")

  const params = queryParams(url)
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number.parseInt(params.get('limit') ?? '', 10) || DEFAULT_LIMIT))
  const sort = params.get('sort') === 'desc' ? 'desc' : 'asc'
  const adjusted = params.get('adjusted') !== 'false'

  const start = bucketStart(timespan, multiplier, from)
  const end = nextBucketStart(timespan, multiplier, bucketStart(timespan, multiplier, to))
  const base = baseTimespanFor(timespan)
  const all = source.isKnownTicker(ticker) ? source.baseBars(ticker, base, start, end) : []
  const asked = adjusted || !source.unadjust ? all : all.map((b) => source.unadjust!(ticker, b))
  const { used, nextFrom } = takePage(asked, limit, timespan, multiplier)
  const bars = multiplier === 1 && timespan === base ? used : aggregateBars(used, timespan, multiplier)
  if (sort === 'desc') bars.reverse()

  const body: Record<string, unknown> = { ticker, queryCount: used.length, resultsCount: bars.length, adjusted, status: 'OK' }
  if (bars.length > 0) body.results = bars.map(toWireBar)
  body.count = bars.length
  if (nextFrom !== null) {
    const cursor = Buffer.from(`limit=${limit}&sort=${sort}&adjusted=${adjusted}`).toString('base64url')
    const path = `/v2/aggs/ticker/${rawTicker}/range/${multiplier}/${timespan}/${nextFrom}/${toSeg}`
    body.next_url = `${url.origin}${path}?cursor=${cursor}`
  }
  return { status: 200, body }
}

/**
 * The first `limit` base bars, minus a trailing bucket the limit cut in two (that bucket opens
 * the next page). A single bucket larger than the limit is served whole, so paging advances.
 */
function takePage(all: Bar[], limit: number, timespan: Timespan, multiplier: number): { used: Bar[]; nextFrom: number | null } {
  if (all.length <= limit) return { used: all, nextFrom: null }
  const cut = bucketStart(timespan, multiplier, all[limit]!.t)
  const complete = all.slice(0, limit).filter((b) => bucketStart(timespan, multiplier, b.t) < cut)
  if (complete.length > 0) return { used: complete, nextFrom: cut }
  const after = nextBucketStart(timespan, multiplier, cut)
  const used = all.filter((b) => b.t < after)
  return { used, nextFrom: used.length < all.length ? after : null }
}

/** A cursor replaces the query (it holds limit/sort/adjusted); otherwise the query as sent. */
function queryParams(url: URL): URLSearchParams {
  const cursor = url.searchParams.get('cursor')
  if (cursor === null) return url.searchParams
  try {
    return new URLSearchParams(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return new URLSearchParams()
  }
}

/** Unix ms, or a NY calendar date: its 00:00 NY for `from`, its last ms for `to`. Null when unparseable. */
export function parseTimeParam(segment: string, edge: 'start' | 'end'): number | null {
  if (/^\d+$/.test(segment)) return Number(segment)
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(segment)
  if (!m) return null
  const utcMidnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  if (new Date(utcMidnight).toISOString().slice(0, 10) !== segment) return null
  const dayIndex = utcMidnight / DAY_MS
  return edge === 'start' ? nyDayStartOfIndex(dayIndex) : nyDayStartOfIndex(dayIndex + 1) - 1
}

function toWireBar(bar: Bar): Record<string, number> {
  return { v: bar.v, vw: bar.vw, o: bar.o, c: bar.c, h: bar.h, l: bar.l, t: bar.t, n: bar.n }
}

function badRequest(error: string): FakeReply {
  return { status: 400, body: { status: 'ERROR', error } }
}
