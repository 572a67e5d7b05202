/** REST answer shapes the browser client reads, declared once for server and client; http/rest-contract.test.ts holds the route schemas to them. */
import type { Bar } from '../core/market-types'

/** The error envelope's `error` (every 4xx/5xx answer: `{"error": {...}}`). */
export interface RestError {
  code: string
  message: string
  details?: Record<string, unknown>
  request_id?: string
}

// ── auth ────────────────────────────────────────────────────────────────────────────────────────

export interface User {
  id: number
  email: string
  /** ISO 8601 (UTC). */
  created_at: string
}

/** POST /auth/login and /auth/refresh. */
export interface Session {
  /** JWT (HS256); also set as the HttpOnly session cookie. */
  token: string
  token_type: 'Bearer'
  /** ISO 8601 (UTC). */
  expires_at: string
  user: User
}

// ── watchlist ───────────────────────────────────────────────────────────────────────────────────

export interface WatchlistItem {
  ticker: string
  /** ISO 8601 (UTC). */
  added_at: string
}

/** GET, POST and DELETE /watchlist. */
export interface Watchlist {
  items: WatchlistItem[]
  /** The per-user cap. */
  max: number
}

// ── market data ─────────────────────────────────────────────────────────────────────────────────

/** GET /market-data/bars: one page; follow `next_cursor` until it is null. */
export interface BarsPage {
  ticker: string
  timespan: string
  multiplier: number
  /** Ascending by `t`. */
  results: RestBar[]
  next_cursor: string | null
}

/** A bar over REST: `final` is false while it may still change (forming, or inside the provider's correction window). */
export interface RestBar extends Bar {
  final: boolean
}

/** A row of GET /market-data/snapshots. */
export interface Snapshot {
  ticker: string
  last: number
  change: number
  change_pct: number
  prev_close: number
  /** Best bid and offer and their sizes (round lots, as the provider reports them); null when the plan has no quotes or none is known yet. */
  bid: number | null
  ask: number | null
  bid_size: number | null
  ask_size: number | null
  /** ISO 8601 (UTC). */
  updated_at: string
  /** WS: this replica's live stream; REST: the upstream. */
  source: 'WS' | 'REST'
  /** The market's session when the answer was formed (open around the clock with SIMULATED_MARKET_HOURS=always). */
  session: Market
  /** The day so far (regular-session open/high/low, the whole day's volume and VWAP): from the provider's snapshot, or the stream once it knows the whole day. */
  day?: { open: number; high: number; low: number; volume: number; vwap: number | null }
}

/** A ticker GET /market-data/snapshots could not answer. */
export interface SnapshotError {
  ticker: string
  code: 'UNKNOWN_TICKER' | 'SNAPSHOT_UNAVAILABLE'
  message: string
}

/** GET /reference/tickers: the symbol search's matches, best first. */
export interface TickerSearch {
  items: { ticker: string; name: string; type: string; exchange: string | null }[]
}

export interface SnapshotsAnswer {
  results: Snapshot[]
  errors: SnapshotError[]
}

import type { Market } from '../core/sessions'

/** GET /market-data/market-status (and the stream's `market_status`): built by core/market-status.ts. */
export type { MarketStatus, UpcomingDay } from '../core/market-status'

// ── options ─────────────────────────────────────────────────────────────────────────────────────

/** Present only on an answer served from the last one kept because the upstream is unavailable. */
interface MaybeStale {
  stale?: true
  /** With stale: when the upstream was asked for this answer (ISO 8601). */
  as_of?: string
}

/** GET /options/expirations. */
export interface ExpirationsAnswer extends MaybeStale {
  underlying: string
  /** Ascending, from today on. */
  expirations: { date: string; days_to_expiry: number; kind: 'weekly' | 'monthly' | 'leaps' | 'other' }[]
  source: 'simulated' | 'massive'
  updated_at: string
}

/** One side (call or put) of a strike row of GET /options/chain; null where the provider has no value. */
export interface ChainSide {
  ticker: string
  bid: number | null
  ask: number | null
  mid: number | null
  last: number | null
  change: number | null
  change_pct: number | null
  volume: number | null
  open_interest: number | null
  iv: number | null
  delta: number | null
  gamma: number | null
  theta: number | null
  vega: number | null
  break_even: number | null
}

/** GET /options/chain. */
export interface ChainAnswer extends MaybeStale {
  underlying: string
  expiration: string
  underlying_price: number | null
  updated_at: string
  source: 'simulated' | 'massive'
  /** Ascending by strike. */
  strikes: { strike: number; call: ChainSide | null; put: ChainSide | null }[]
}

/** GET /options/contracts/{option_ticker}. */
export interface ContractAnswer extends MaybeStale {
  ticker: string
  details: {
    underlying: string
    type: 'call' | 'put'
    style: string
    expiration: string
    days_to_expiry: number
    strike: number
    shares_per_contract: number
  }
  snapshot: {
    quote: { bid: number; ask: number; mid: number; bid_size: number; ask_size: number; updated_at: string } | null
    last_trade: { price: number; size: number; at: string } | null
    day: {
      open: number
      high: number
      low: number
      close: number
      volume: number
      vwap: number
      prev_close: number
      change: number
      change_pct: number
      updated_at: string
    } | null
    greeks: { delta: number; gamma: number; theta: number; vega: number } | null
    iv: number | null
    open_interest: number | null
    break_even: number | null
    underlying_price: number | null
    underlying_updated_at: string | null
  }
  source: 'simulated' | 'massive'
  updated_at: string
}
