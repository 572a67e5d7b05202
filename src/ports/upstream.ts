/** Upstream port: where market data comes from (Massive, or the simulated market). History, snapshots and the live feed. */
import type { Bar, BaseTimespan, LiveBar, Quote, Trade, UpstreamSnapshot } from '../core/market-types'

export type { Bar, BaseTimespan, LiveBar, Quote, QuoteLevels, Timespan, Trade, UpstreamSnapshot } from '../core/market-types'

export type UpstreamHealth = 'ok' | 'degraded' | 'down'

/**
 * Who a REST call is for, which decides how much of a rate-limited budget it may spend:
 * `interactive` (bars, snapshots, ticker lookups a user waits for) may spend all of it;
 * `options` (chains and contracts, polled by open panels) and `background` (prefetch, stream
 * seeds) only while more than the share reserved for interactive calls remains.
 */
export type RequestPriority = 'interactive' | 'options' | 'background'

export interface UpstreamStatus {
  name: 'simulated' | 'massive'
  health: UpstreamHealth
  /** Why health is not ok, as a stable code plus text (e.g. UPSTREAM_RATE_LIMITED). */
  reason?: { code: string; message: string }
  /** REST request budget: remaining calls in the current window, or null when unlimited. */
  budget: {
    limitPerMinute: number | null
    remaining: number | null
    resetsAt: number | null
    /** Calls of the window only interactive requests may spend (absent: none reserved). */
    reservedInteractive?: number
  }
  /** Upstream REST calls made since start (for tests and metrics). */
  requests: number
  /** Finished calls by outcome (HTTP status code, `timeout` or `network`), where the adapter counts them. */
  outcomes?: Record<string, number>
}

/**
 * History and snapshots over request/response. Contract:
 * - fetchBars returns base bars with from <= t < to, ascending, no duplicates; an unknown
 *   ticker or a range without trades returns [] (use lookupTicker to tell them apart).
 * - failures throw UpstreamUnavailableError (503: network, timeout, 5xx, 429 after retries,
 *   budget exhausted) or UpstreamError (502: bad key, plan, malformed body); never anything else.
 * - `priority` (default interactive) says who waits for the call; a budgeted adapter refuses a
 *   non-interactive call with 503 once only the interactive reserve is left.
 */
export interface UpstreamRest {
  readonly name: 'simulated' | 'massive'
  fetchBars(
    ticker: string,
    timespan: BaseTimespan,
    fromMs: number,
    toMs: number,
    priority?: RequestPriority,
  ): Promise<Bar[]>
  /** Snapshots for known tickers; unknown tickers are simply absent from the map. */
  fetchSnapshots(tickers: string[], priority?: RequestPriority): Promise<Map<string, UpstreamSnapshot>>
  /** True when the provider knows the ticker. */
  lookupTicker(ticker: string, priority?: RequestPriority): Promise<boolean>
  status(): UpstreamStatus
}

/** One ticker found by a search: its symbol, name, provider type code (CS, ETF, …) and primary exchange (MIC). */
export interface TickerMatch {
  ticker: string
  name: string
  type: string
  exchange: string | null
}

/** Symbol search of the provider's reference data (Massive `/v3/reference/tickers?search=`, or the simulated universe). */
export interface TickerDirectory {
  /** Active stock and ETF tickers whose symbol or name matches `text`, best first, at most `limit`. */
  searchTickers(text: string, limit: number): Promise<TickerMatch[]>
}

/** Provider status events turned into our terms (Massive `status` messages). */
export type FeedStatusEvent =
  | { kind: 'connected' }
  | { kind: 'authenticated' }
  | { kind: 'auth_failed'; message: string }
  | { kind: 'max_connections'; message: string }
  | { kind: 'force_disconnect'; message: string }
  | { kind: 'slow_consumer'; message: string }
  | { kind: 'subscribed'; channels: string[] }
  /** The provider refused the quote channel (`Q`): the plan has no quotes; trades and bars go on. */
  | { kind: 'quotes_unavailable'; message: string }
  | { kind: 'error'; message: string }

export interface FeedHandlers {
  /** Trades in provider order; a frame may carry many. */
  trades(trades: Trade[]): void
  /** NBBO updates in provider order (Massive `Q`); absent handler = quotes are dropped. */
  quotes?(quotes: Quote[]): void
  /** Minute bars, including provider re-sends of a window already sent (corrections): upsert by (symbol, t). */
  bars(bars: LiveBar[]): void
  status(event: FeedStatusEvent): void
  /** The session ended; `code`/`reason` as the transport reports them. Called exactly once. */
  closed(code: number, reason: string): void
}

/**
 * One live connection to the provider (not reconnecting: the UpstreamActor supervises sessions).
 * Contract (test/contracts/upstream-feed.contract.ts runs it against every adapter):
 * - status `connected`, then `authenticated`, each once, before any data;
 * - subscribe/unsubscribe may be called at any time: calls made before authentication are kept,
 *   netted per symbol (the last call wins), and take effect once authenticated; calls after
 *   `closed` are ignored; a symbol subscribed twice is sent once;
 * - each subscribe that takes effect is acknowledged by a `subscribed` status naming the trade
 *   and minute channels of its symbols (`T.<symbol>`, `AM.<symbol>`); quotes are a channel of
 *   their own: `subscribeQuotes` (netted the same way) asks for `Q.<symbol>`, acknowledged the
 *   same way, and only those symbols' quotes arrive (a plan without quotes answers
 *   `quotes_unavailable` once, later calls are ignored, and trades and bars go on); quotes, like
 *   trades, arrive in provider order; the provider handles calls in order, so an
 *   acknowledgement means every earlier call has taken effect;
 * - from its subscribe on, a symbol's trades arrive in provider order, each once, and after each
 *   minute closes its bar (`n` may be 0 when the provider does not count trades); nothing for a
 *   symbol after its unsubscribe took effect; a well-formed unknown symbol is accepted and silent;
 * - `closed` fires exactly once (1000 after close(), 1006 when the connection failed), and
 *   nothing is delivered after it.
 */
export interface FeedSession {
  subscribe(symbols: string[]): void
  unsubscribe(symbols: string[]): void
  /** NBBO quotes of these symbols (subscribed apart from their trades and bars); absent = a feed without quotes. */
  subscribeQuotes?(symbols: string[]): void
  unsubscribeQuotes?(symbols: string[]): void
  close(): void
}

export interface UpstreamFeed {
  readonly name: 'simulated' | 'massive'
  open(handlers: FeedHandlers): FeedSession
}
