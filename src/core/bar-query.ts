/** Parses and validates GET /market-data/bars parameters into a BarQuery; every rule names its field in the error code. Pure. */
import { ValidationError } from '../errors'
import type { Timespan } from '../ports/upstream'
import { DAY_MS, bucketStart, nyDayStart, nyNextDayStart } from './market-time'
import { normaliseTicker } from './validate'

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
}

export interface RawBarParams {
  ticker?: string
  timespan?: string
  multiplier?: string
  from?: string
  to?: string
  limit?: string
  cursor?: string
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

interface CursorState {
  v: 1
  tk: string
  ts: Timespan
  m: number
  f: number
  t: number
}

export function encodeCursor(q: BarQuery, nextFromMs: number): string {
  const state: CursorState = { v: 1, tk: q.ticker, ts: q.timespan, m: q.multiplier, f: nextFromMs, t: q.toMs }
  return Buffer.from(JSON.stringify(state)).toString('base64url')
}

function decodeCursor(raw: string): CursorState {
  try {
    const s = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as CursorState
    if (
      s.v !== 1 ||
      typeof s.tk !== 'string' ||
      !timespans.includes(s.ts) ||
      !Number.isInteger(s.m) ||
      !Number.isInteger(s.f) ||
      !Number.isInteger(s.t)
    )
      throw new Error()
    return s
  } catch {
    throw new ValidationError('INVALID_CURSOR', 'cursor is not one this API issued; start again without it')
  }
}

/** Validates every parameter; `now` supplies the default `to`. */
export function parseBarQuery(p: RawBarParams, now: number): BarQuery {
  const limit = parseIntParam(p.limit, 'INVALID_LIMIT', 'limit', 1, barLimits.maxLimit, barLimits.defaultLimit)
  if (p.cursor !== undefined && p.cursor !== '') return queryFromCursor(p, decodeCursor(p.cursor), limit)
  const ticker = normaliseTicker(p.ticker ?? '')
  if (p.timespan === undefined || !timespans.includes(p.timespan as Timespan))
    throw new ValidationError('INVALID_TIMESPAN', `timespan must be one of ${timespans.join(', ')}`, {
      timespan: p.timespan ?? null,
    })
  const timespan = p.timespan as Timespan
  const rule = barRules[timespan]
  const multiplier = parseIntParam(p.multiplier, 'INVALID_MULTIPLIER', 'multiplier', 1, rule.maxMultiplier, 1)
  if (p.from === undefined || p.from === '') throw new ValidationError('INVALID_FROM', 'from is required')
  const from = parseInstant(p.from, 'from')
  const to = p.to === undefined || p.to === '' ? now : parseInstant(p.to, 'to')
  if (from > to) throw new ValidationError('INVALID_RANGE', 'from must not be after to', { from, to })
  if (to - from > rule.maxSpanDays * DAY_MS)
    throw new ValidationError(
      'RANGE_TOO_LARGE',
      `a ${timespan} request may span at most ${rule.maxSpanDays} days; page with a narrower range`,
      {
        max_span_days: rule.maxSpanDays,
      },
    )
  return { ticker, timespan, multiplier, fromMs: bucketStart(timespan, multiplier, from), toMs: to, limit }
}

function queryFromCursor(p: RawBarParams, s: CursorState, limit: number): BarQuery {
  const mismatch =
    (p.ticker !== undefined && p.ticker.trim().toUpperCase() !== s.tk) ||
    (p.timespan !== undefined && p.timespan !== s.ts) ||
    (p.multiplier !== undefined && Number(p.multiplier) !== s.m)
  if (mismatch)
    throw new ValidationError('INVALID_CURSOR', 'cursor belongs to a different ticker, timespan or multiplier')
  return { ticker: s.tk, timespan: s.ts, multiplier: s.m, fromMs: s.f, toMs: s.t, limit }
}
