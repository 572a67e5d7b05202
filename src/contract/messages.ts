/** Stream messages as both sides read them: the server's market and control envelopes, and the client's requests (docs/websocket-protocol.md). */
import type { BarData, SnapshotData, TradeData } from '../core/coalesce'
import type { QuoteData } from '../core/quote-state'
import type { MarketStatus, RestError } from './rest'

export type { BarData, BarState, SnapshotData, TradeData } from '../core/coalesce'
export type { QuoteData } from '../core/quote-state'

interface MarketBase {
  symbol: string
  /** Per symbol, monotonic within `epoch`; a gap means messages were lost (backfill from REST). */
  seq: number
  epoch: string
  /** Provider event time, Unix ms. */
  event_ts: number
  /** Server send time, Unix ms. */
  ts: number
  source: string
}
export type MarketMessage =
  | (MarketBase & { type: 'trade'; data: TradeData })
  | (MarketBase & { type: 'bar'; data: BarData })
  | (MarketBase & { type: 'snapshot'; data: SnapshotData })
  /** The latest NBBO of a flush window (only on subscriptions that ask for the `quotes` channel). */
  | (MarketBase & { type: 'quote'; data: QuoteData })
  /** The minute starting at `t` ended with no bar (no price-setting trade, no provider bar): stop waiting for one. */
  | (MarketBase & { type: 'no_bar'; data: { t: number } })

/** Why a symbol's history must be loaded again: `split` (its prices changed scale). */
export type ResetReason = 'split'
/**
 * In the market envelope, the first message of a new epoch: what a client holds of the symbol
 * (bars, last price, day figures) is on an old scale; it loads the symbol again over REST.
 */
export type ResetMessage = MarketBase & { type: 'reset'; data: { reason: ResetReason } }

export interface WelcomeData {
  user_id: number | string
  /** When the connection's token expires, Unix ms (refresh before it: POST /auth/refresh, then a `refresh` request). */
  token_expires_at?: number
  /** Protocol version (1). */
  protocol: number
  heartbeat_ms: number
  /** The server sends something (at least a `heartbeat`) this often; silence for 2.75× this means the link is dead (the browser client's watchdog). */
  keepalive_ms?: number
  flush_ms: number
  derived_ms: number
  limits: Record<string, unknown>
  /** The close-code table: which codes ask the client to reconnect. */
  close_codes?: { code: number; name: string; reconnect: boolean }[]
}
export interface SubscribedData {
  symbols: string[]
  added: string[]
  removed: string[]
  /** The channels the request's symbols now deliver (only when the subscribe named channels). */
  channels?: StreamChannel[]
  reason?: string
}
export interface StatusData {
  upstream: 'ok' | 'degraded' | 'reconnecting'
  reason?: string | { code: string; message: string }
  subscriptions?: { used: number; max: number }
  connections?: { used: number; max: number }
  /** Present when the provider refused quotes (a plan without them): no `quote` messages come; everything else does. */
  quotes?: { available: false; reason: { code: string; message: string } }
}

interface ControlBase {
  ts: number
  source: string
  id?: RequestId
}
export type ControlMessage =
  | (ControlBase & { type: 'welcome'; data: WelcomeData })
  | (ControlBase & { type: 'subscribed'; data: SubscribedData })
  | (ControlBase & { type: 'status'; data: StatusData })
  | (ControlBase & { type: 'error'; data: RestError })
  | (ControlBase & { type: 'pong'; data: unknown })
  | (ControlBase & { type: 'heartbeat'; data: unknown })
  /** The connection took the token of a `refresh` request; `token_expires_at` in Unix ms. */
  | (ControlBase & { type: 'refreshed'; data: { token_expires_at: number; id?: RequestId } })
  /** The connection's token expires soon and it has not been refreshed. */
  | (ControlBase & { type: 'token_expiring'; data: { token_expires_at: number } })
  /** After `welcome`, and at every session change: the same object as GET /market-data/market-status. */
  | (ControlBase & { type: 'market_status'; data: MarketStatus })

export type ServerMessage = MarketMessage | ResetMessage | ControlMessage

/** A request id the client may attach; echoed back in replies. */
export type RequestId = string | number
/** What a subscription delivers: `trades`, `quotes`, `bars` (live, final and correction) and `snapshots`. */
export type StreamChannel = 'trades' | 'quotes' | 'bars' | 'snapshots'
export type ClientRequest =
  /**
   * On the wire `channels` (StreamChannel[]): what the symbols deliver from now on; absent =
   * trades, bars and snapshots (no quotes). Parsed into `channelMask` (contract/channels.ts bits).
   */
  | { action: 'subscribe'; symbols: string[]; channelMask?: number; channels?: StreamChannel[]; id?: RequestId }
  | { action: 'unsubscribe'; symbols: string[]; id?: RequestId }
  | { action: 'ping'; id?: RequestId }
  /** Moves the connection onto a newer token of the same user (its expiry and its session for sign-outs). */
  | { action: 'refresh'; token: string; id?: RequestId }
