/** Massive stocks WebSocket wire format: client frames (auth, batched subscribe) and server frames parsed into trades, quotes, minute bars and status events. */

import { MINUTE_MS } from '../../core/market-time.ts'
import type { FeedStatusEvent } from '../../ports/upstream.ts'
import type { LiveBar, Quote, Trade } from '../../core/market-types.ts'

/** Channels subscribed per symbol: trades and minute aggregates. */
export const FEED_CHANNELS = ['T', 'AM'] as const
/** The same plus NBBO quotes, for a plan that has them. */
export const FEED_CHANNELS_WITH_QUOTES = ['T', 'Q', 'AM'] as const

/**
 * One server frame as the session consumes it, in frame order. Consecutive events of one kind
 * are merged (many T events → one `trades` item; many subscribe acks → one `subscribed` status),
 * so a frame of 500 trades costs one handler call, while order across kinds is kept.
 */
export type FeedItem =
  | { kind: 'trades'; trades: Trade[] }
  | { kind: 'quotes'; quotes: Quote[] }
  | { kind: 'bars'; bars: LiveBar[] }
  | { kind: 'status'; event: FeedStatusEvent }

type Json = Record<string, unknown>

/** `{"action":"auth","params":"<key>"}` */
export function authFrame(apiKey: string): string {
  return JSON.stringify({ action: 'auth', params: apiKey })
}

/** A symbol we can put in a params list: non-empty, no comma or whitespace (`*` = every ticker). */
export function isFeedSymbol(symbol: string): boolean {
  return symbol.length > 0 && symbol.length <= 64 && !/[,\s]/.test(symbol)
}

/**
 * subscribe/unsubscribe frames for `symbols` (each with `channels`, or the channels the function
 * gives for it), packed greedily so each frame's `params` stays within maxParamsLength characters
 * (a single longer channel goes alone).
 */
export function channelFrames(
  action: 'subscribe' | 'unsubscribe',
  symbols: readonly string[],
  maxParamsLength: number,
  channels: readonly string[] | ((symbol: string) => readonly string[]) = FEED_CHANNELS,
): string[] {
  const frames: string[] = []
  let params = ''
  for (const symbol of symbols) {
    for (const channel of typeof channels === 'function' ? channels(symbol) : channels) {
      const item = `${channel}.${symbol}`
      if (params.length > 0 && params.length + 1 + item.length > maxParamsLength) {
        frames.push(JSON.stringify({ action, params }))
        params = ''
      }
      params = params.length > 0 ? `${params},${item}` : item
    }
  }
  if (params.length > 0) frames.push(JSON.stringify({ action, params }))
  return frames
}

/**
 * Parses one server frame. The provider sends a JSON array of events; a single object is
 * tolerated. A frame that is not JSON (or not an array/object) becomes one `error` status; a bad
 * event inside a good frame becomes an `error` status at its position and the rest still count.
 * Event types we do not subscribe to (A, ...) and unsubscribe acks are ignored. Never throws.
 */
export function parseFeedFrame(text: string): FeedItem[] {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return [errorItem(`malformed frame (not JSON): ${preview(text)}`)]
  }
  const events = Array.isArray(body) ? body : isObject(body) ? [body] : null
  if (events === null) return [errorItem(`malformed frame (not an array of events): ${preview(text)}`)]
  const items: FeedItem[] = []
  for (let i = 0; i < events.length; i++) {
    const event = events[i]
    if (!isObject(event)) {
      items.push(errorItem(`malformed event #${i}: not an object`))
      continue
    }
    if (event.ev === 'T') {
      const trade = parseTrade(event)
      if (typeof trade === 'string') items.push(errorItem(`malformed T event #${i}: ${trade}`))
      else appendTrade(items, trade)
    } else if (event.ev === 'Q') {
      const quote = parseQuote(event)
      if (typeof quote === 'string') items.push(errorItem(`malformed Q event #${i}: ${quote}`))
      else appendQuote(items, quote)
    } else if (event.ev === 'AM') {
      const bar = parseMinuteBar(event)
      if (typeof bar === 'string') items.push(errorItem(`malformed AM event #${i}: ${bar}`))
      else appendBar(items, bar)
    } else if (event.ev === 'status') {
      const status = parseStatus(event)
      if (status) appendStatus(items, status)
    }
  }
  return items
}

/** T → Trade (with its conditions `c` when present); a string names what is wrong. `q` is required: it orders and de-duplicates trades. */
function parseTrade(e: Json): Trade | string {
  if (typeof e.sym !== 'string' || e.sym.length === 0) return '`sym` is not a ticker'
  const p = finite(e.p)
  const s = finite(e.s)
  const t = finite(e.t)
  const q = finite(e.q)
  if (p === undefined || p < 0) return '`p` is not a price'
  if (s === undefined || s < 0) return '`s` is not a size'
  if (t === undefined) return '`t` is not a timestamp'
  if (q === undefined) return '`q` is not a sequence number'
  const trade: Trade = { symbol: e.sym, p, s, t, q }
  const c = conditionsOf(e.c)
  if (typeof c === 'string') return c
  if (c !== undefined) trade.c = c
  return trade
}

/** Q → Quote; a string names what is wrong. Prices and sizes are required (a one-sided book is sent with 0s). */
function parseQuote(e: Json): Quote | string {
  if (typeof e.sym !== 'string' || e.sym.length === 0) return '`sym` is not a ticker'
  // Checked field by field, no intermediate object: quotes come several per trade (issue 16).
  const bp = e.bp
  const ap = e.ap
  const bs = e.bs
  const as = e.as
  const t = e.t
  if (!isSize(bp)) return '`bp` is not a number'
  if (!isSize(ap)) return '`ap` is not a number'
  if (!isSize(bs)) return '`bs` is not a number'
  if (!isSize(as)) return '`as` is not a number'
  if (typeof t !== 'number' || !Number.isFinite(t)) return '`t` is not a number'
  const quote: Quote = {
    symbol: e.sym,
    bid: bp,
    bidSize: bs,
    ask: ap,
    askSize: as,
    t,
    bidExchange: finite(e.bx) ?? 0,
    askExchange: finite(e.ax) ?? 0,
    q: finite(e.q) ?? 0,
  }
  const c = finite(e.c)
  if (c !== undefined) quote.condition = c
  return quote
}

/**
 * True when a refusal names the quote channel: a plan without quotes answers the `Q.<symbol>`
 * subscription with a not-authorized status (its exact text is unconfirmed, massive-api.md 5.2),
 * so any non-success status whose message names a `Q.` channel or quotes counts.
 */
function refusesQuotes(message: string): boolean {
  return /(^|[\s:,])Q\.[A-Za-z*]/.test(message) || /\bquotes?\b/i.test(message)
}

/** A finite number >= 0 (prices and sizes of a quote). */
function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

/** `c` → condition ids: absent or null = none; otherwise an array of integer ids (empty kept out). */
function conditionsOf(value: unknown): number[] | undefined | string {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || !value.every((id) => Number.isInteger(id) && id >= 0)) return '`c` is not a list of condition ids'
  return value.length > 0 ? (value as number[]) : undefined
}

/**
 * AM → LiveBar: t = `s` (window start), e = `e` (else s + 1 minute), vw = `vw` (else the close).
 * n = 0: AM carries no trade count (its `z` is the average trade size, not a count), so 0 means
 * "unknown" here, as in the REST mapping. Day fields (av, op, a) are not part of a bar.
 */
function parseMinuteBar(e: Json): LiveBar | string {
  if (typeof e.sym !== 'string' || e.sym.length === 0) return '`sym` is not a ticker'
  const values = { s: finite(e.s), o: finite(e.o), h: finite(e.h), l: finite(e.l), c: finite(e.c), v: finite(e.v) }
  for (const [name, value] of Object.entries(values)) if (value === undefined) return `\`${name}\` is not a number`
  const { s, o, h, l, c, v } = values as Record<keyof typeof values, number>
  return { symbol: e.sym, t: s, o, h, l, c, v, vw: finite(e.vw) ?? c, n: 0, e: finite(e.e) ?? s + MINUTE_MS }
}

/**
 * A status event in our terms, matched on `status` (never on the free-text message), or null
 * for one we ignore (unsubscribe acks). The connect event is `connected` in every capture but
 * `success` + "Connected Successfully" in the spec: both mean connected. `auth_timeout`,
 * `auth_required` and unknown statuses become `error` with the status in the text.
 */
function parseStatus(e: Json): FeedStatusEvent | null {
  const status = typeof e.status === 'string' ? e.status : ''
  const message = typeof e.message === 'string' ? e.message : ''
  switch (status) {
    case 'connected':
      return { kind: 'connected' }
    case 'auth_success':
      return { kind: 'authenticated' }
    case 'auth_failed':
    case 'max_connections':
    case 'force_disconnect':
    case 'slow_consumer':
      return { kind: status, message }
    case 'success': {
      const ack = message.match(/^\s*(un)?subscribed to:\s*(.*)$/i)
      if (ack) return ack[1] ? null : { kind: 'subscribed', channels: splitChannels(ack[2]!) }
      if (/^\s*connected/i.test(message)) return { kind: 'connected' }
      return null
    }
    case 'error':
    case 'auth_required':
    case 'not_authorized':
      if (refusesQuotes(message)) return { kind: 'quotes_unavailable', message }
      if (status === 'error') return { kind: 'error', message: message || 'error status without a message' }
      return { kind: 'error', message: `status ${JSON.stringify(status)}${message ? `: ${message}` : ''}` }
    default:
      return { kind: 'error', message: `status ${JSON.stringify(status)}${message ? `: ${message}` : ''}` }
  }
}

/** True for the statuses after which the provider drops the connection. */
export function isDisconnectStatus(event: FeedStatusEvent): boolean {
  return (
    event.kind === 'auth_failed' ||
    event.kind === 'max_connections' ||
    event.kind === 'force_disconnect' ||
    event.kind === 'slow_consumer'
  )
}

function splitChannels(list: string): string[] {
  return list
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0)
}

function appendTrade(items: FeedItem[], trade: Trade): void {
  const last = items.at(-1)
  if (last?.kind === 'trades') last.trades.push(trade)
  else items.push({ kind: 'trades', trades: [trade] })
}

function appendQuote(items: FeedItem[], quote: Quote): void {
  const last = items.at(-1)
  if (last?.kind === 'quotes') last.quotes.push(quote)
  else items.push({ kind: 'quotes', quotes: [quote] })
}

function appendBar(items: FeedItem[], bar: LiveBar): void {
  const last = items.at(-1)
  if (last?.kind === 'bars') last.bars.push(bar)
  else items.push({ kind: 'bars', bars: [bar] })
}

function appendStatus(items: FeedItem[], event: FeedStatusEvent): void {
  const last = items.at(-1)
  if (event.kind === 'subscribed' && last?.kind === 'status' && last.event.kind === 'subscribed') {
    last.event.channels.push(...event.channels)
  } else {
    items.push({ kind: 'status', event })
  }
}

function errorItem(message: string): FeedItem {
  return { kind: 'status', event: { kind: 'error', message } }
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}
