/** Parses and validates GET /market-data/bars parameters into a BarQuery; every rule names its field in the error code. Pure. */
import { ValidationError } from '../errors'
import type { Timespan } from './market-types'
import { DAY_MS, HOUR_MS, bucketStart, nyDayStart, nyNextDayStart } from './market-time'
import type { BarCursorCodec } from './bar-cursor'
import { normaliseTicker, upperAscii } from './validate'

export const timespans: readonly Timespan[] = ['minute', 'hour', 'day', 'week', 'month']

/** Allowed multipliers and the widest from→to span, per timespan, so one response stays bounded. */
export const barRules: Record<Timespan, { maxMultiplier: number; maxSpanDays: number }> = {
  minute: { maxMultiplier: 60, maxSpanDays: 7 },
  hour: { maxMultiplier: 24, maxSpanDays: 90 },
  day: { maxMultiplier: 31, maxSpanDays: 731 },
  week: { maxMultiplier: 52, maxSpanDays: 5 * 366 },
  month: { maxMultiplier: 12, maxSpanDays: 10 * 366 },
}

export const barLimits = { defaultLimit: 1000, maxLimit: 10_000 }

export interface BarQuery {
  ticker: string
  timespan: Timespan
  multiplier: number
  /** Start of the first bucket (snapped), Unix ms. */
  fromMs: number
  /** Last instant a returned bucket may start at (inclusive), Unix ms. */
  toMs: number
  limit: number
  /** `regular`: minute and hour bars of the regular session only (09:30 to the day's close, New York). */
  session: BarSession
}

/** Which sessions' bars a query keeps; only minute-based timespans can be narrowed (day bars are regular-session bars already). */
export type BarSession = 'all' | 'regular'

export interface RawBarParams {
  ticker?: string
  timespan?: string
  multiplier?: string
  from?: string
  to?: string
  limit?: string
  cursor?: string
  session?: string
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/
const dateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i
const msPattern = /^\d{1,15}$/

/**
 * A point in time as the API accepts it: YYYY-MM-DD (a New York calendar day), an ISO-8601
 * date-time with a zone, or Unix milliseconds. A date as `to` means the end of that day.
 */
export function parseInstant(raw: string, field: 'from' | 'to'): number {
  const code = field === 'from' ? 'INVALID_FROM' : 'INVALID_TO'
  const bad = () =>
    new ValidationError(code, `${field} must be YYYY-MM-DD, an ISO-8601 date-time with a zone, or Unix milliseconds`, {
      [field]: raw.slice(0, 40),
    })
  const d = datePattern.exec(raw)
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])]
    const utcNoon = Date.UTC(y, m - 1, day, 12)
    const check = new Date(utcNoon)
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day) throw bad()
    const start = nyDayStart(utcNoon)
    return field === 'from' ? start : nyNextDayStart(utcNoon) - 1
  }
  if (dateTimePattern.test(raw)) {
    const t = Date.parse(raw)
    if (Number.isNaN(t)) throw bad()
    return t
  }
  if (msPattern.test(raw)) return Number(raw)
  throw bad()
}

function parseIntParam(
  raw: string | undefined,
  code: string,
  field: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback
    throw new ValidationError(code, `${field} is required`)
  }
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < min || n > max)
    throw new ValidationError(code, `${field} must be an integer from ${min} to ${max}`, {
      [field]: raw.slice(0, 20),
      min,
      max,
    })
  return n
}

/**
 * Validates every parameter; `now` supplies the default `to`. With a cursor, the query is the one
 * the cursor carries (signed by `cursors`), validated by the same rules as a fresh one; ticker,
 * timespan and multiplier may be repeated and must then match it; from and to are ignored.
 */
export function parseBarQuery(p: RawBarParams, now: number, cursors: BarCursorCodec): BarQuery {
  const limit = parseIntParam(p.limit, 'INVALID_LIMIT', 'limit', 1, barLimits.maxLimit, barLimits.defaultLimit)
  if (p.cursor !== undefined && p.cursor !== '') return queryFromCursor(p, p.cursor, cursors, limit)
  const ticker = normaliseTicker(p.ticker ?? '')
  const timespan = parseTimespan(p.timespan)
  const rule = barRules[timespan]
  const multiplier = parseIntParam(p.multiplier, 'INVALID_MULTIPLIER', 'multiplier', 1, rule.maxMultiplier, 1)
  if (p.from === undefined || p.from === '') throw new ValidationError('INVALID_FROM', 'from is required')
  const from = parseInstant(p.from, 'from')
  const to = p.to === undefined || p.to === '' ? now : parseInstant(p.to, 'to')
  checkRange(timespan, from, to)
  const session = parseSession(p.session)
  return { ticker, timespan, multiplier, fromMs: bucketStart(timespan, multiplier, from), toMs: to, limit, session }
}

/** The cursor of the page after `q`, starting at `nextFromMs`. */
export function nextCursor(cursors: BarCursorCodec, q: BarQuery, nextFromMs: number): string {
  const { ticker, timespan, multiplier, toMs, session } = q
  return cursors.encode({ ticker, timespan, multiplier, fromMs: nextFromMs, toMs, session })
}

function parseSession(raw: string | undefined): BarSession {
  if (raw === undefined || raw === '' || raw === 'all') return 'all'
  if (raw === 'regular') return 'regular'
  throw new ValidationError('INVALID_SESSION', 'session must be all (default) or regular', { session: raw.slice(0, 32) })
}

function parseTimespan(raw: string | undefined): Timespan {
  if (raw === undefined || !timespans.includes(raw as Timespan))
    throw new ValidationError('INVALID_TIMESPAN', `timespan must be one of ${timespans.join(', ')}`, {
      timespan: raw ?? null,
    })
  return raw as Timespan
}

/** from <= to, and the span within the timespan's bound. */
function checkRange(timespan: Timespan, from: number, to: number): void {
  if (from > to) throw new ValidationError('INVALID_RANGE', 'from must not be after to', { from, to })
  const rule = barRules[timespan]
  // Days on the New York calendar: a span across a DST change is an hour longer or shorter than n × 24 h.
  if (to - from > rule.maxSpanDays * DAY_MS + HOUR_MS)
    throw new ValidationError(
      'RANGE_TOO_LARGE',
      `a ${timespan} request may span at most ${rule.maxSpanDays} days; page with a narrower range`,
      { max_span_days: rule.maxSpanDays },
    )
}

const invalidCursor = (details?: Record<string, unknown>) =>
  new ValidationError('INVALID_CURSOR', 'cursor is not one this API issued; start again without it', details)

/** The signed query of a cursor, re-validated like a fresh request; every failure is INVALID_CURSOR. */
function queryFromCursor(p: RawBarParams, raw: string, cursors: BarCursorCodec, limit: number): BarQuery {
  const s = cursors.decode(raw)
  if (s === null) throw invalidCursor()
  let q: BarQuery
  try {
    const ticker = normaliseTicker(s.ticker)
    const timespan = parseTimespan(s.timespan)
    const { multiplier, fromMs, toMs } = s
    if (ticker !== s.ticker) throw invalidCursor({ reason: 'INVALID_TICKER' })
    if (!Number.isInteger(multiplier) || multiplier < 1 || multiplier > barRules[timespan].maxMultiplier)
      throw invalidCursor({ reason: 'INVALID_MULTIPLIER' })
    if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs)) throw invalidCursor({ reason: 'INVALID_RANGE' })
    checkRange(timespan, fromMs, toMs)
    if (bucketStart(timespan, multiplier, fromMs) !== fromMs) throw invalidCursor({ reason: 'INVALID_FROM' })
    q = { ticker, timespan, multiplier, fromMs, toMs, limit, session: s.session ?? 'all' }
  } catch (e) {
    if (e instanceof ValidationError) throw e.code === 'INVALID_CURSOR' ? e : invalidCursor({ reason: e.code })
    throw e
  }
  const mismatch =
    (p.ticker !== undefined && upperAscii(p.ticker.trim()) !== q.ticker) ||
    (p.timespan !== undefined && p.timespan !== q.timespan) ||
    (p.multiplier !== undefined && Number(p.multiplier) !== q.multiplier) ||
    (p.session !== undefined && p.session !== '' && p.session !== q.session)
  if (mismatch)
    throw new ValidationError('INVALID_CURSOR', 'cursor belongs to a different ticker, timespan, multiplier or session')
  return q
}
