/** Market data as the domain knows it: OHLCV bars, their timespans, trades, quotes (NBBO), live minute bars and provider snapshots. */

/** One OHLCV bar; `t` is the Unix ms start of its window (provider convention). */
export interface Bar {
  t: number
  o: number
  h: number
  l: number
  c: number
  v: number
  /** Volume-weighted average price of the window. */
  vw: number
  /** Number of trades in the window. */
  n: number
}

/** Base bars the provider aggregates from, and the only ones we store. */
export type BaseTimespan = 'minute' | 'day'
export type Timespan = 'minute' | 'hour' | 'day' | 'week' | 'month'

export interface Trade {
  symbol: string
  /** Price. */
  p: number
  /** Size in shares. */
  s: number
  /** SIP timestamp, Unix ms. */
  t: number
  /** Provider sequence number: increasing per symbol, not contiguous. */
  q: number
  /** Sale condition ids (Massive `c`; core/trade-conditions.ts); absent or empty = a regular sale. */
  c?: number[]
}

export interface UpstreamSnapshot {
  ticker: string
  /** Last trade price. */
  last: number
  /** Previous trading day's close; change = last - prevClose. */
  prevClose: number
  change: number
  changePct: number
  /** Unix ms of the last update (last trade). */
  updatedAt: number
  /** The day so far: regular-session OHLC, the whole day's volume and (when the provider gives it) its VWAP. */
  day?: { o: number; h: number; l: number; c: number; v: number; vw?: number }
  /** The provider's last NBBO (Massive `lastQuote`), absent when the plan has no quotes. */
  lastQuote?: QuoteLevels
}

/** Best bid and offer: prices, and sizes in round lots as the provider reports them (Massive: lots of 100 shares). */
export interface QuoteLevels {
  bid: number
  bidSize: number
  ask: number
  askSize: number
  /** SIP timestamp, Unix ms. */
  t: number
}

/** One NBBO update (Massive `Q`): the best bid and offer across exchanges for a symbol. */
export interface Quote extends QuoteLevels {
  symbol: string
  /** Exchange ids of the best bid and the best offer (Massive `bx`, `ax`). */
  bidExchange: number
  askExchange: number
  /** Quote condition id (Massive `c`); absent when none. */
  condition?: number
  /** Provider sequence number (Massive `q`): increasing per symbol within a session. */
  q: number
}

/** A minute aggregate as the live feed sends it (Massive `AM`): the window [s, e) and its OHLCV. */
export interface LiveBar extends Bar {
  symbol: string
  /** Window end, Unix ms (t + 60_000 for minute bars). */
  e: number
}
