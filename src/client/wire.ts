/** Wire shapes the client reads and sends (the contract's REST bodies and stream envelopes, under the client's names), what a close code asks of it, and a tolerant frame parser. */

// The REST shapes are the contract's (src/contract/rest.ts, shared with the server; type-only: nothing of it is bundled).
import type { Bar } from '../core/market-types'
import type { ChainAnswer, ChainSide, ContractAnswer, ExpirationsAnswer, Snapshot } from '../contract/rest'
export type {
  BarsPage,
  MarketStatus,
  RestError,
  Session,
  SnapshotsAnswer,
  TickerSearch,
  User,
  Watchlist,
  WatchlistItem,
} from '../contract/rest'
import { CloseCode, shouldReconnect } from '../contract/protocol'
import type { ControlMessage, MarketMessage, ServerMessage } from '../contract/messages'
export type {
  BarData,
  BarState,
  ClientRequest,
  StreamChannel,
  ControlMessage,
  MarketMessage,
  ServerMessage,
  SnapshotData,
  StatusData,
  SubscribedData,
  TradeData,
  WelcomeData,
} from '../contract/messages'

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

/** The subprotocol offered (with `bearer.<jwt>` when a token is used) and echoed by the server. */
export { streamPath, subprotocol as streamSubprotocol } from '../contract/protocol'

const marketTypes = new Set(['reset', 'trade', 'bar', 'snapshot', 'no_bar', 'quote'])
const controlTypes = new Set([
  'welcome',
  'subscribed',
  'status',
  'error',
  'pong',
  'heartbeat',
  'refreshed',
  'token_expiring',
  'market_status',
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

/** What a close code asks of the client: the contract's rule (4000–4499 and network codes: reconnect; 4500–4999: stop), then why it stops. */
export type CloseDisposition = 'reconnect' | 'signed_out' | 'over_quota' | 'refused'

export function closeDisposition(code: number): CloseDisposition {
  if (shouldReconnect(code)) return 'reconnect'
  if (code === CloseCode.AUTH_REQUIRED || code === CloseCode.TOKEN_INVALID || code === CloseCode.TOKEN_EXPIRED)
    return 'signed_out'
  if (code === CloseCode.CONNECTION_LIMIT) return 'over_quota'
  return 'refused'
}
