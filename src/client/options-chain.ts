/** Pure core of the options panel: the strikes window around the underlying, in-the-money flags, cell text, error wording and when to poll again. */
import { backoff, type BackoffPolicy } from '../core/backoff'
import type { OptionChainRow, OptionChainSide, OptionContract, OptionExpiration } from './wire'

/** How often an open chain is asked again while answers are fresh (the server keeps a chain ~3 s). */
export const chainRefreshMs = 3000
/** Backoff of the chain poll while the source is unavailable: from 2 polls' time up to a minute, never under one poll's. */
const chainBackoff: BackoffPolicy = { baseMs: 2 * chainRefreshMs, maxMs: 60_000, minMs: chainRefreshMs }
/** The longest Retry-After the panel honours before asking again. */
export const chainMaxWaitMs = 5 * 60_000
/** Strikes shown on each side of the underlying price unless the trader asks for all. */
const strikesAround = 10

export type OptionType = 'call' | 'put'

export interface StrikeWindow {
  rows: OptionChainRow[]
  /** The listed strike nearest the underlying price (null without a price or strikes). */
  atm: number | null
  /** Rows left out below and above the window. */
  hiddenBelow: number
  hiddenAbove: number
}

/** The listed strike nearest `price` (the lower one on a tie). */
export function nearestStrike(rows: readonly OptionChainRow[], price: number | null): number | null {
  if (price === null || rows.length === 0) return null
  let best = rows[0].strike
  for (const r of rows) if (Math.abs(r.strike - price) < Math.abs(best - price)) best = r.strike
  return best
}

/**
 * The `around` strikes below the price and the `around` at or above it (ascending rows in, ascending rows out).
 * Every row when `all`, or when the price is unknown.
 */
export function strikeWindow(
  rows: readonly OptionChainRow[],
  price: number | null,
  around = strikesAround,
  all = false,
): StrikeWindow {
  const atm = nearestStrike(rows, price)
  if (all || price === null) return { rows: [...rows], atm, hiddenBelow: 0, hiddenAbove: 0 }
  let split = rows.findIndex((r) => r.strike >= price)
  if (split < 0) split = rows.length
  const from = Math.max(0, split - around)
  const to = Math.min(rows.length, split + around)
  return { rows: rows.slice(from, to), atm, hiddenBelow: from, hiddenAbove: rows.length - to }
}

/** A call is in the money when its strike is below the underlying price, a put when above; never without a price. */
export function inTheMoney(type: OptionType, strike: number, price: number | null): boolean {
  if (price === null) return false
  return type === 'call' ? strike < price : strike > price
}

export const sideColumns = ['bid', 'ask', 'last', 'change_pct', 'volume', 'open_interest', 'iv', 'delta'] as const
export type SideColumn = (typeof sideColumns)[number]
export const sideColumnLabels: Record<SideColumn, string> = {
  bid: 'Bid',
  ask: 'Ask',
  last: 'Last',
  change_pct: 'Chg %',
  volume: 'Vol',
  open_interest: 'OI',
  iv: 'IV',
  delta: 'Delta',
}

const dash = '—'
const fixed = (v: number, digits: number) =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

/** An option premium or strike: 2 decimals, grouped. */
export const money = (v: number | null) => (v === null || !Number.isFinite(v) ? dash : fixed(v, 2))
/** A strike: as listed (215, 212.5), no trailing zeros. */
export const strikeText = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 3 })
/** Contracts: a whole number, grouped. */
export const count = (v: number | null) => (v === null || !Number.isFinite(v) ? dash : fixed(v, 0))
/** Implied volatility 0.2012 → 20.1%. */
export const volatility = (v: number | null) => (v === null || !Number.isFinite(v) ? dash : `${fixed(v * 100, 1)}%`)
/** A greek, 3 decimals with a real minus sign. */
const greek = (v: number | null, digits = 3) => signedText(v, digits, '', false)
/** A signed change: +1.20 / −0.35 (no plus with `plus` false). */
function signedText(v: number | null, digits = 2, suffix = '', plus = true): string {
  if (v === null || !Number.isFinite(v)) return dash
  const text = fixed(Math.abs(v), digits)
  // A value that rounds to zero carries no sign (no −0.000).
  const sign = Number(text.replace(/,/g, '')) === 0 ? '' : v > 0 ? (plus ? '+' : '') : '−'
  return `${sign}${text}${suffix}`
}

/** The text of each cell of one side of a strike row (dashes for a missing side or number). */
export function sideCells(side: OptionChainSide | null): Record<SideColumn, string> {
  const s = side
  return {
    bid: money(s?.bid ?? null),
    ask: money(s?.ask ?? null),
    last: money(s?.last ?? null),
    change_pct: signedText(s?.change_pct ?? null, 1, '%'),
    volume: count(s?.volume ?? null),
    open_interest: count(s?.open_interest ?? null),
    iv: volatility(s?.iv ?? null),
    delta: greek(s?.delta ?? null),
  }
}

const dateOnly = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
})
/** 2025-03-21 → Fri, Mar 21, 2025. */
function dateText(date: string): string {
  const [y, m, d] = date.split('-').map(Number)
  if (!y || !m || !d) return date
  return dateOnly.format(Date.UTC(y, m - 1, d))
}

/** One entry of the expiration picker: Fri, Mar 21, 2025 · 9 d · monthly (0 d reads "today"). */
export function expirationLabel(e: OptionExpiration): string {
  const days = e.days_to_expiry === 0 ? 'today' : `${e.days_to_expiry} d`
  return `${dateText(e.date)} · ${days} · ${e.kind}`
}

export interface Fact {
  label: string
  value: string
}

/** The contract details panel as label/value pairs, in reading order. */
export function contractFacts(c: OptionContract): Fact[] {
  const d = c.details
  const s = c.snapshot
  const q = s.quote
  const t = s.last_trade
  const day = s.day
  const g = s.greeks
  const days = d.days_to_expiry === 0 ? 'today' : `${d.days_to_expiry} d`
  return [
    { label: 'Type', value: `${d.type} · ${d.style}` },
    { label: 'Strike', value: money(d.strike) },
    { label: 'Expiration', value: dateText(d.expiration) },
    { label: 'Days to expiry', value: days },
    { label: 'Bid × size', value: q ? `${money(q.bid)} × ${count(q.bid_size)}` : dash },
    { label: 'Ask × size', value: q ? `${money(q.ask)} × ${count(q.ask_size)}` : dash },
    { label: 'Mid', value: money(q?.mid ?? null) },
    { label: 'Last trade', value: t ? `${money(t.price)} × ${count(t.size)}` : dash },
    { label: 'Change', value: day ? `${signedText(day.change)} (${signedText(day.change_pct, 1, '%')})` : dash },
    { label: 'Open / High', value: day ? `${money(day.open)} / ${money(day.high)}` : dash },
    { label: 'Low / Close', value: day ? `${money(day.low)} / ${money(day.close)}` : dash },
    { label: 'Prev close', value: money(day?.prev_close ?? null) },
    { label: 'Volume', value: count(day?.volume ?? null) },
    { label: 'VWAP', value: money(day?.vwap ?? null) },
    { label: 'Open interest', value: count(s.open_interest) },
    { label: 'IV', value: volatility(s.iv) },
    { label: 'Delta', value: greek(g?.delta ?? null) },
    { label: 'Gamma', value: greek(g?.gamma ?? null, 4) },
    { label: 'Theta', value: greek(g?.theta ?? null) },
    { label: 'Vega', value: greek(g?.vega ?? null) },
    { label: 'Break-even', value: money(s.break_even) },
    { label: 'Underlying', value: money(s.underlying_price) },
    { label: 'Shares / contract', value: count(d.shares_per_contract) },
  ]
}

export interface OptionsFailure {
  code: string
  message: string
}

/** What to tell the trader about a failed options call, for `underlying` (and `expiration` when a chain was asked). */
export function optionsErrorText(e: OptionsFailure, underlying: string, expiration?: string): string {
  switch (e.code) {
    case 'UNKNOWN_UNDERLYING':
      return `${underlying} is not a known underlying: it has no options.`
    case 'EXPIRATION_NOT_FOUND':
      return `${underlying} lists no options expiring ${expiration ? dateText(expiration) : 'then'} (it may have just expired). Pick another expiration.`
    case 'UNKNOWN_CONTRACT':
      return 'That contract is no longer listed (it may have expired).'
    case 'UPSTREAM_UNAVAILABLE':
      return `The options source is unavailable right now; retrying. (${e.code})`
    case 'UPSTREAM_AUTH_FAILED':
    case 'UPSTREAM_NOT_AUTHORIZED':
      return `The options source refused the request (its key or plan): ${e.message} (${e.code})`
    case 'UPSTREAM_BAD_RESPONSE':
    case 'UPSTREAM_ERROR':
      return `The options source answered with an error; retrying. (${e.code})`
    case 'NETWORK_ERROR':
      return 'The server could not be reached; retrying.'
    default:
      return `${e.message} (${e.code})`
  }
}

/** Whether polling should go on after a failure with HTTP `status` (0: network): yes for outages (network, upstream, 5xx) and rate limits (429); no for answers a retry cannot change. */
export function worthRetrying(status: number): boolean {
  return status === 0 || status === 429 || status >= 500
}

/** What the panel says over a chain the server answered from its last copy (`stale`) because the source is unavailable. */
export const staleChainNotice = 'The options source is busy or unavailable; polling less often.'

/** How a chain poll went: a fresh chain, the server's last chain marked stale, or a failure worth retrying. */
export type ChainPoll =
  | { kind: 'fresh' }
  | { kind: 'stale' }
  | { kind: 'failed'; status: number; retryAfterMs: number | null }

/**
 * Milliseconds before the next chain poll. Fresh: chainRefreshMs. Otherwise the source is
 * unavailable (stale answer, 503, 429, network): the server's Retry-After when it sent one
 * (at least one poll's time, at most chainMaxWaitMs), else exponential backoff with full jitter
 * over `misses`, the consecutive polls that were not fresh before this one (0 for the first).
 */
export function nextChainPollMs(poll: ChainPoll, misses: number, random: () => number): number {
  if (poll.kind === 'fresh') return chainRefreshMs
  const retryAfterMs = poll.kind === 'failed' ? poll.retryAfterMs : null
  if (retryAfterMs !== null && retryAfterMs > 0) return Math.min(chainMaxWaitMs, Math.max(chainRefreshMs, retryAfterMs))
  return backoff(misses, random, chainBackoff)
}
