/** Wire shapes the client reads and sends: REST bodies, stream envelopes and the close-code ranges, with a tolerant frame parser. */

// The REST shapes are the contract's (src/contract/rest.ts, shared with the server; type-only: nothing of it is bundled).
import type { Bar } from '../core/market-types'
import type { ChainAnswer, ChainSide, ContractAnswer, ExpirationsAnswer, RestError, Snapshot } from '../contract/rest'
export type { BarsPage, RestError, Session, SnapshotsAnswer, User, Watchlist, WatchlistItem } from '../contract/rest'
export type { BarData, BarState, SnapshotData, TradeData } from '../core/coalesce'
import type { BarData, SnapshotData, TradeData } from '../core/coalesce'

/** One OHLCV bar as REST and the stream send it; `t` is the Unix ms start of its window. */
export type WireBar = Bar

/** A row of GET /api/v1/market-data/snapshots. */
export type RestSnapshot = Snapshot

/** GET /api/v1/options/expirations, /options/chain (one side of a strike row) and /options/contracts/{ticker}. */
export type OptionExpirations = ExpirationsAnswer
export type OptionExpiration = ExpirationsAnswer['expirations'][number]
export type OptionChain = ChainAnswer
export type OptionChainRow = ChainAnswer['strikes'][number]
export type OptionChainSide = ChainSide
export type OptionContract = ContractAnswer

interface MarketBase {
  symbol: string
  seq: number
  epoch: string
  event_ts: number
  ts: number
  source: string
}
export type MarketMessage =
  | (MarketBase & { type: 'trade'; data: TradeData })
  | (MarketBase & { type: 'bar'; data: BarData })
  | (MarketBase & { type: 'snapshot'; data: SnapshotData })

export interface WelcomeData {
  user_id: number | string
  /** When the connection's token expires, Unix ms (refresh before it: POST /auth/refresh, then a `refresh` request). */
  token_expires_at?: number
  protocol: string
  heartbeat_ms: number
  flush_ms: number
  derived_ms: number
  limits: Record<string, unknown>
}
export interface SubscribedData {
  symbols: string[]
  added: string[]
  removed: string[]
  reason?: string
}
export interface StatusData {
  upstream: 'ok' | 'degraded' | 'reconnecting'
  reason?: string | { code: string; message: string }
  subscriptions?: { used: number; max: number }
  connections?: { used: number; max: number }
}

interface ControlBase {
  ts: number
  source: string
  id?: string | number
}
export type ControlMessage =
  | (ControlBase & { type: 'welcome'; data: WelcomeData })
  | (ControlBase & { type: 'subscribed'; data: SubscribedData })
  | (ControlBase & { type: 'status'; data: StatusData })
  | (ControlBase & { type: 'error'; data: RestError })
  | (ControlBase & { type: 'pong'; data: unknown })
  | (ControlBase & { type: 'heartbeat'; data: unknown })
  /** The connection took the token of a `refresh` request; `token_expires_at` in Unix ms. */
  | (ControlBase & { type: 'refreshed'; data: { token_expires_at: number; id?: string | number } })
  /** The connection's token expires soon and it has not been refreshed. */
  | (ControlBase & { type: 'token_expiring'; data: { token_expires_at: number } })

export type ServerMessage = MarketMessage | ControlMessage

export type ClientRequest =
  | { action: 'subscribe' | 'unsubscribe'; symbols: string[]; id?: string | number }
  | { action: 'ping'; id?: string | number }
  | { action: 'refresh'; token: string; id?: string | number }

/** The subprotocol offered (with `bearer.<jwt>` when a token is used) and echoed by the server. */
export const streamSubprotocol = 'market-watch.v1'
export const streamPath = '/api/v1/market-data/stream'

const marketTypes = new Set(['trade', 'bar', 'snapshot'])
const controlTypes = new Set([
  'welcome',
  'subscribed',
  'status',
  'error',
  'pong',
  'heartbeat',
  'refreshed',
  'token_expiring',
])

/** Parses one text frame; null for anything that is not a known, well-formed envelope. */
export function parseServerFrame(frame: unknown): ServerMessage | null {
  if (typeof frame !== 'string') return null
  let value: any
  try {
    value = JSON.parse(frame)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || typeof value.type !== 'string') return null
  if (marketTypes.has(value.type)) {
    const ok =
      typeof value.symbol === 'string' &&
      Number.isFinite(value.seq) &&
      typeof value.epoch === 'string' &&
      typeof value.data === 'object' &&
      value.data !== null
    return ok ? (value as MarketMessage) : null
  }
  return controlTypes.has(value.type) ? (value as ControlMessage) : null
}

/** What a close code asks of the client (4000–4499 and network codes: reconnect; 4500–4999: stop). */
export type CloseDisposition = 'reconnect' | 'signed_out' | 'over_quota' | 'refused'

export function closeDisposition(code: number): CloseDisposition {
  if (code < 4500 || code > 4999) return 'reconnect'
  if (code === 4500 || code === 4501 || code === 4502) return 'signed_out'
  if (code === 4504) return 'over_quota'
  return 'refused'
}

/** Names of the documented close codes, for messages. */
export const closeCodeNames: Record<number, string> = {
  1000: 'NORMAL',
  1001: 'GOING_AWAY',
  1006: 'NETWORK',
  4000: 'SERVER_RESTART',
  4001: 'HEARTBEAT_TIMEOUT',
  4002: 'SLOW_CONSUMER',
  4003: 'INTERNAL_ERROR',
  4004: 'RATE_LIMITED',
  4500: 'AUTH_REQUIRED',
  4501: 'TOKEN_INVALID',
  4502: 'TOKEN_EXPIRED',
  4503: 'ORIGIN_NOT_ALLOWED',
  4504: 'CONNECTION_LIMIT',
  4505: 'POLICY_VIOLATION',
}
