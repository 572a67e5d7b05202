/** Massive REST wire format: shape checks and mapping of aggregates and snapshot bodies to our Bar and UpstreamSnapshot. */

import { UpstreamError } from '../../errors.ts'
import type { Bar, QuoteLevels, UpstreamSnapshot } from '../../core/market-types.ts'
import type { TickerMatch } from '../../ports/upstream.ts'
import { snapshotFigures } from '../../core/snapshot-figures.ts'

export interface AggsPage {
  bars: Bar[]
  nextUrl: string | null
}

type Json = Record<string, unknown>

/** One aggregates page: a missing `results` means no bars (unknown ticker or no trades). */
export function parseAggsPage(body: unknown): AggsPage {
  const page = envelope(body, 'aggregates')
  const results = page.results
  if (results !== undefined && results !== null && !Array.isArray(results)) throw badShape('aggregates', '`results` is not an array')
  const bars = (results ?? []).map((item: unknown, i: number) => parseBar(item, i))
  const next = page.next_url
  if (next !== undefined && next !== null && typeof next !== 'string') throw badShape('aggregates', '`next_url` is not a string')
  return { bars, nextUrl: next ? next : null }
}

/** The `tickers` list of a multi-ticker snapshot (missing = none known), mapped per ticker; unusable items are skipped. */
export function parseSnapshotList(body: unknown): UpstreamSnapshot[] {
  const page = envelope(body, 'snapshots')
  const list = page.tickers
  if (list === undefined || list === null) return []
  if (!Array.isArray(list)) throw badShape('snapshots', '`tickers` is not an array')
  const out: UpstreamSnapshot[] = []
  for (const item of list) {
    if (!isObject(item) || typeof item.ticker !== 'string') throw badShape('snapshots', 'a snapshot item has no `ticker`')
    const snap = mapSnapshot(item)
    if (snap) out.push(snap)
  }
  return out
}

/** `/v3/reference/tickers/{T}`: 200 with `results` means the provider knows the ticker. */
export function parseTickerDetails(body: unknown): boolean {
  const page = envelope(body, 'ticker details')
  if (page.results === undefined || page.results === null) return false
  if (!isObject(page.results)) throw badShape('ticker details', '`results` is not an object')
  return true
}

/** `/v3/reference/tickers?search=`: the listed tickers (missing `results` = none); items without a ticker or name are skipped. */
export function parseTickerSearch(body: unknown): TickerMatch[] {
  const page = envelope(body, 'ticker search')
  const list = page.results
  if (list === undefined || list === null) return []
  if (!Array.isArray(list)) throw badShape('ticker search', '`results` is not an array')
  const out: TickerMatch[] = []
  for (const item of list) {
    if (!isObject(item) || typeof item.ticker !== 'string' || typeof item.name !== 'string') continue
    const type = typeof item.type === 'string' ? item.type : ''
    const exchange = typeof item.primary_exchange === 'string' ? item.primary_exchange : null
    out.push({ ticker: item.ticker, name: item.name, type, exchange })
  }
  return out
}

/**
 * Maps one ticker snapshot object. Price: `lastTrade.p`, else `min.c`, else `day.c` (a 0 means
 * "cleared", as between 3:30 and 4:00 AM ET), else the previous close. Returns null when the
 * object has no usable price at all.
 */
export function mapSnapshot(item: Json): UpstreamSnapshot | null {
  const prevDay = isObject(item.prevDay) ? item.prevDay : {}
  const prevClose = positive(prevDay.c)
  const last =
    positive(field(item.lastTrade, 'p')) ?? positive(field(item.min, 'c')) ?? positive(field(item.day, 'c')) ?? prevClose
  if (last === undefined) return null
  const base = prevClose ?? last
  // Recomputed from the unrounded prices against prevDay.c (the provider's todaysChange is rounded).
  const { change, changePct } = snapshotFigures(last, base)
  const updated =
    positive(item.updated) ?? positive(field(item.lastTrade, 't')) ?? positive(field(item.min, 't'))
  const snap: UpstreamSnapshot = {
    ticker: item.ticker as string,
    last,
    prevClose: base,
    change,
    changePct,
    updatedAt: updated === undefined ? 0 : toUnixMs(updated),
  }
  const day = parseDay(item.day)
  if (day) snap.day = day
  const lastQuote = parseLastQuote(item.lastQuote)
  if (lastQuote) snap.lastQuote = lastQuote
  return snap
}

/** `lastQuote` (`P`/`S` ask price and size, `p`/`s` bid, `t` SIP ns), present only on plans with quotes; null when absent or without both prices. */
function parseLastQuote(value: unknown): QuoteLevels | null {
  if (!isObject(value)) return null
  const ask = positive(value.P)
  const bid = positive(value.p)
  if (ask === undefined || bid === undefined) return null
  const t = positive(value.t)
  return { bid, bidSize: finite(value.s) ?? 0, ask, askSize: finite(value.S) ?? 0, t: t === undefined ? 0 : toUnixMs(t) }
}

/**
 * Provider timestamps come in ns (REST snapshots), sometimes µs or ms: pick the unit by
 * magnitude (ms ≈ 1.7e12, µs ≈ 1.7e15, ns ≈ 1.7e18 today).
 */
export function toUnixMs(ts: number): number {
  if (ts >= 1e17) return Math.round(ts / 1e6)
  if (ts >= 1e14) return Math.round(ts / 1e3)
  return Math.round(ts)
}

function parseBar(item: unknown, i: number): Bar {
  if (!isObject(item)) throw badShape('aggregates', `results[${i}] is not an object`)
  const { t, o, h, l, c, v } = item
  for (const [name, value] of Object.entries({ t, o, h, l, c, v })) {
    if (finite(value) === undefined) throw badShape('aggregates', `results[${i}].${name} is not a number`)
  }
  const close = c as number
  return {
    t: t as number,
    o: o as number,
    h: h as number,
    l: l as number,
    c: close,
    v: v as number,
    // vw and n are optional in the spec; fall back to the close and "unknown" (0).
    vw: finite(item.vw) ?? close,
    n: finite(item.n) ?? 0,
  }
}

function parseDay(day: unknown): UpstreamSnapshot['day'] | undefined {
  if (!isObject(day)) return undefined
  const o = finite(day.o)
  const h = finite(day.h)
  const l = finite(day.l)
  const c = finite(day.c)
  const v = finite(day.v)
  if (o === undefined || h === undefined || l === undefined || c === undefined || v === undefined) return undefined
  if (o === 0 && h === 0 && l === 0 && c === 0) return undefined
  const vw = finite(day.vw)
  return vw !== undefined && vw > 0 ? { o, h, l, c, v, vw } : { o, h, l, c, v }
}

/** Checks the common envelope: an object whose `status` is not an error (any other status, e.g. DELAYED, is fine). */
function envelope(body: unknown, what: string): Json {
  if (!isObject(body)) throw badShape(what, 'body is not a JSON object')
  const status = body.status
  if (status === 'ERROR' || status === 'NOT_AUTHORIZED' || status === 'NOT_FOUND') {
    const text = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : ''
    const code = status === 'NOT_AUTHORIZED' ? 'UPSTREAM_NOT_AUTHORIZED' : 'UPSTREAM_ERROR'
    throw new UpstreamError(code, `Massive ${what} answered status ${status}${text ? `: ${text.slice(0, 300)}` : ''}`)
  }
  return body
}

function badShape(what: string, detail: string): UpstreamError {
  return new UpstreamError('UPSTREAM_BAD_RESPONSE', `Massive ${what} response has an unexpected shape: ${detail}`)
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function field(obj: unknown, key: string): unknown {
  return isObject(obj) ? obj[key] : undefined
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function positive(value: unknown): number | undefined {
  const n = finite(value)
  return n !== undefined && n > 0 ? n : undefined
}
