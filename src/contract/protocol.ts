/** WebSocket stream protocol v1, shared by server and browser client: close codes and their reconnect rule (the single source), error codes, the parser of client requests and the serialisers of server envelopes. */
import type { AuthErrorCode } from '../errors'
import { isTickerSyntax, upperAscii } from '../core/validate'
import { keepaliveIntervalMs } from '../core/heartbeat'
import type { ClientRequest, ControlMessage, MarketMessage, RequestId, ResetMessage, WelcomeData } from './messages'
import { readChannels, streamChannels } from './channels'

export const protocolVersion = 1
/** The subprotocol a browser offers (with `bearer.<jwt>`) and the server echoes. */
export const subprotocol = 'market-watch.v1'
export const bearerProtocolPrefix = 'bearer.'
/** Where the stream is served (a GET with Upgrade: websocket). */
export const streamPath = '/api/v1/market-data/stream'

/**
 * Close codes. 4000–4499: the client SHOULD reconnect with backoff. 4500–4999: the client must
 * NOT reconnect without user action (sign in again, close a tab, fix the client).
 */
export const CloseCode = {
  SERVER_RESTART: 4000,
  HEARTBEAT_TIMEOUT: 4001,
  SLOW_CONSUMER: 4002,
  INTERNAL_ERROR: 4003,
  RATE_LIMITED: 4004,
  SERVER_FULL: 4005,
  AUTH_REQUIRED: 4500,
  TOKEN_INVALID: 4501,
  TOKEN_EXPIRED: 4502,
  ORIGIN_NOT_ALLOWED: 4503,
  CONNECTION_LIMIT: 4504,
  POLICY_VIOLATION: 4505,
} as const
export type CloseName = keyof typeof CloseCode

const closeMeaning: Record<CloseName, string> = {
  SERVER_RESTART: 'the server is shutting down or deploying; reconnect with backoff',
  HEARTBEAT_TIMEOUT: 'no pong or message within two heartbeat intervals',
  SLOW_CONSUMER: 'the client read too slowly and stayed behind',
  INTERNAL_ERROR: 'the server failed on this connection',
  RATE_LIMITED: 'the client kept sending too many messages; reconnect after a pause',
  SERVER_FULL: 'this server process holds its maximum of streams; reconnect with backoff (a load balancer sends you to another replica)',
  AUTH_REQUIRED: 'no token was sent',
  TOKEN_INVALID: 'the token is malformed, forged, uses a refused algorithm, or names a user that does not exist',
  TOKEN_EXPIRED: 'the token expired; sign in again',
  ORIGIN_NOT_ALLOWED: 'a cookie-authenticated handshake came from a foreign Origin',
  CONNECTION_LIMIT: 'this user already has the maximum number of stream connections',
  POLICY_VIOLATION: 'too many protocol errors in a short window',
}

/** True when a client should reconnect (with backoff) after this close code. */
export function shouldReconnect(code: number): boolean {
  return code < 4500 || code > 4999
}

/** Names of the standard WebSocket codes a client sees besides ours. */
const standardCloseNames: Record<number, string> = { 1000: 'NORMAL', 1001: 'GOING_AWAY', 1006: 'NETWORK' }
const closeNameByCode = new Map<number, string>(Object.entries(CloseCode).map(([name, code]) => [code, name]))

/** The name of a close code for messages: ours (CloseCode), a standard one, else CLOSE_<code>. */
export function closeName(code: number): string {
  return closeNameByCode.get(code) ?? standardCloseNames[code] ?? `CLOSE_${code}`
}

/** The close-code table as sent in `welcome` and documented in docs/websocket-protocol.md. */
export function closeCodeTable(): { code: number; name: CloseName; reconnect: boolean; meaning: string }[] {
  return (Object.keys(CloseCode) as CloseName[]).map((name) => ({
    code: CloseCode[name],
    name,
    reconnect: shouldReconnect(CloseCode[name]),
    meaning: closeMeaning[name],
  }))
}

let announced: { code: number; name: CloseName; reconnect: boolean }[] | null = null

/** The close codes every welcome announces: the same for every connection, so built once (a reconnect storm welcomes thousands); only ever serialised. */
function announcedCloseCodes(): { code: number; name: CloseName; reconnect: boolean }[] {
  announced ??= closeCodeTable().map(({ code, name, reconnect }) => ({ code, name, reconnect }))
  return announced
}

/** The close a refused handshake gets for each token failure. */
export function closeForAuthError(code: AuthErrorCode | string): CloseName {
  switch (code) {
    case 'AUTH_REQUIRED':
      return 'AUTH_REQUIRED'
    case 'TOKEN_EXPIRED':
    case 'TOKEN_REVOKED': // signed out: the client's remedy is the expired one (sign in again); details.cause names it
      return 'TOKEN_EXPIRED'
    default:
      return 'TOKEN_INVALID'
  }
}

/**
 * Why an in-band `refresh` was refused: the token's own failure (as REST names it), or
 * TOKEN_USER_MISMATCH for a valid token of another user. The connection keeps its old token.
 */
export type RefreshErrorCode = Exclude<AuthErrorCode, 'INVALID_CREDENTIALS' | 'SESSION_TOO_OLD'> | 'TOKEN_USER_MISMATCH'

/** In-band error codes that do not close the connection. */
export type RequestErrorCode =
  | 'MESSAGE_TOO_BIG'
  | 'MALFORMED_MESSAGE'
  | 'UNKNOWN_ACTION'
  | 'INVALID_SYMBOLS'
  | 'INVALID_CHANNELS'
  | 'NOT_IN_WATCHLIST'
  | 'SUBSCRIPTION_LIMIT'
  | 'RATE_LIMITED'
  | RefreshErrorCode

export interface ProtocolError {
  code: RequestErrorCode
  message: string
  details?: Record<string, unknown>
}

const maxIdLength = 64

/**
 * Validates one client frame. Text frames only; at most `maxBytes` UTF-8 bytes; a JSON object
 * with a known `action`; symbols are trimmed, upper-cased, de-duplicated and checked for syntax.
 */
export function parseClientFrame(
  frame: string | Uint8Array,
  maxBytes: number,
): { ok: true; request: ClientRequest } | { ok: false; error: ProtocolError; id?: RequestId } {
  if (typeof frame !== 'string')
    return fail('MALFORMED_MESSAGE', 'binary frames are not accepted: send JSON text frames')
  const bytes = frame.length * 3 <= maxBytes ? frame.length : Buffer.byteLength(frame, 'utf8')
  if (bytes > maxBytes)
    return fail('MESSAGE_TOO_BIG', `a message may be at most ${maxBytes} bytes`, { max_bytes: maxBytes, bytes })
  let value: unknown
  try {
    value = JSON.parse(frame)
  } catch {
    return fail('MALFORMED_MESSAGE', 'a message must be a JSON object')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('MALFORMED_MESSAGE', 'a message must be a JSON object')
  const body = value as Record<string, unknown>
  const id = readId(body.id)
  if (id === null)
    return fail('MALFORMED_MESSAGE', `id must be a string of at most ${maxIdLength} characters or a number`)
  const withId = <T extends object>(r: T) => (id === undefined ? r : { ...r, id })
  switch (body.action) {
    case 'ping':
      return { ok: true, request: withId({ action: 'ping' as const }) }
    case 'refresh':
      if (typeof body.token !== 'string' || body.token === '')
        return { ok: false, error: { code: 'MALFORMED_MESSAGE', message: 'refresh needs a token (a JWT string)' }, id }
      return { ok: true, request: withId({ action: 'refresh' as const, token: body.token }) }
    case 'subscribe':
    case 'unsubscribe': {
      const symbols = readSymbols(body.symbols)
      if (!symbols.ok) return { ok: false, error: symbols.error, id }
      if (body.action === 'unsubscribe') return { ok: true, request: withId({ action: body.action, symbols: symbols.symbols }) }
      const channels = readChannels(body.channels)
      if (!channels.ok)
        return {
          ok: false,
          error: {
            code: 'INVALID_CHANNELS',
            message: `channels must be a non-empty array of ${streamChannels.join(', ')}`,
            details: { invalid: channels.invalid, allowed: streamChannels },
          },
          id,
        }
      const request = { action: body.action, symbols: symbols.symbols } as const
      return {
        ok: true,
        request: withId(channels.mask === undefined ? request : { ...request, channelMask: channels.mask }),
      }
    }
    default:
      return {
        ok: false,
        error: {
          code: 'UNKNOWN_ACTION',
          message: 'action must be one of subscribe, unsubscribe, ping, refresh',
          details: { action: typeof body.action === 'string' ? body.action.slice(0, 32) : null },
        },
        id,
      }
  }
}

function fail(code: RequestErrorCode, message: string, details?: Record<string, unknown>) {
  return { ok: false as const, error: details ? { code, message, details } : { code, message } }
}

function readId(raw: unknown): RequestId | undefined | null {
  if (raw === undefined) return undefined
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw
  if (typeof raw === 'string' && raw.length <= maxIdLength) return raw
  return null
}

function readSymbols(raw: unknown): { ok: true; symbols: string[] } | { ok: false; error: ProtocolError } {
  if (!Array.isArray(raw) || raw.length === 0)
    return fail('INVALID_SYMBOLS', 'symbols must be a non-empty array of tickers', { invalid: [] })
  const symbols = new Set<string>()
  const invalid: string[] = []
  for (const item of raw) {
    const ticker = typeof item === 'string' ? upperAscii(item.trim()) : ''
    if (isTickerSyntax(ticker)) symbols.add(ticker)
    else invalid.push(typeof item === 'string' ? item.slice(0, 32) : String(item).slice(0, 32))
  }
  if (invalid.length > 0)
    return fail('INVALID_SYMBOLS', `not valid tickers: ${invalid.slice(0, 10).join(', ')}`, { invalid })
  return { ok: true, symbols: [...symbols] }
}

/** Where a message comes from: the market data provider, or the server itself (control). */
export type MarketMessageType = (MarketMessage | ResetMessage)['type']
export type ControlMessageType = ControlMessage['type']

/** How long before its token expires a connection that has not refreshed is sent `token_expiring`. */
export const tokenExpiringNoticeMs = 60_000

/** The stream's limits (config.stream, from WS_* and STREAM_FLUSH_MS). */
export interface StreamLimits {
  maxSubscriptions: number
  maxConnectionsPerUser: number
  /** Streams this process holds at most (0 = from the open-files limit, see adapters/host/open-files.ts). */
  maxConnectionsPerProcess: number
  /** Ping interval; a connection silent for two of them is closed (4001). */
  heartbeatMs: number
  /** App-level `heartbeat` message period (one topic publish for every socket), capped at heartbeatMs. @default 2000 */
  keepaliveMs?: number
  maxMessageBytes: number
  messagesPerSecond: number
  flushMs: number
  /** Live bar and snapshot at most once per this window (never more often than flushMs). */
  derivedMs: number
  sendBufferBytes: number
}

/** The limits a `welcome` announces. */
export type AnnouncedLimits = Omit<StreamLimits, 'sendBufferBytes'>

/** `welcome` data: who the connection is, when its token expires (Unix ms), protocol version, timings, limits and the close-code table. */
export function welcomeData(userId: number, tokenExpiresAt: number, limits: AnnouncedLimits): WelcomeData {
  return {
    user_id: userId,
    token_expires_at: tokenExpiresAt,
    protocol: protocolVersion,
    heartbeat_ms: limits.heartbeatMs,
    keepalive_ms: keepaliveIntervalMs(limits.heartbeatMs, limits.keepaliveMs),
    flush_ms: limits.flushMs,
    derived_ms: Math.max(limits.flushMs, limits.derivedMs),
    limits: {
      max_subscriptions: limits.maxSubscriptions,
      max_connections: limits.maxConnectionsPerUser,
      messages_per_second: limits.messagesPerSecond,
      max_message_bytes: limits.maxMessageBytes,
    },
    close_codes: announcedCloseCodes(),
  }
}

/** A control message (`source: 'server'`), serialised. */
export function controlMessage(type: ControlMessageType, data: object, ts: number): string {
  return JSON.stringify({ type, data, ts, source: 'server' })
}

export interface MarketEnvelope {
  type: MarketMessageType
  symbol: string
  seq: number
  epoch: string
  /** Provider event time, Unix ms. */
  eventTs: number
  /** Server send time, Unix ms. */
  ts: number
  source: 'simulated' | 'massive'
  data: object
}

/** A market message, serialised once and fanned out as is. */
export function marketMessage(m: MarketEnvelope): string {
  return JSON.stringify({
    type: m.type,
    symbol: m.symbol,
    seq: m.seq,
    epoch: m.epoch,
    event_ts: m.eventTs,
    ts: m.ts,
    source: m.source,
    data: m.data,
  })
}

/** The `type` of a serialised message (both serialisers write it first), without parsing it. */
export function messageTypeOf(payload: string): string {
  const end = payload.indexOf('"', 9)
  return payload.startsWith('{"type":"') && end > 9 ? payload.slice(9, end) : 'unknown'
}

/** Bus and local topic of a symbol's market messages. */
export const symbolTopic = (symbol: string) => `sym:${symbol}`
/** Bus topic of events for one user's connections (e.g. watchlist removals). */
export const userTopic = (userId: number | string) => `user:${userId}`
