/** Wire shapes of the fake Massive stocks feed (massive-api.md section 5): server events (T, Q, AM, status) in frames, client channel lists. */

import type { ServerWebSocket } from 'bun'
import { dayBars } from '../../src/adapters/simulated/market.ts'
import { MINUTE_MS, nyDayStart } from '../../src/core/market-time.ts'
import type { Bar, Quote, Trade } from '../../src/core/market-types.ts'

const MAX_EVENTS_PER_FRAME = 1_000

/** The max_connections text seen in the wild (3P logs); the spec example is shorter. Clients match on `status`. */
export const MAX_CONNECTIONS_MESSAGE =
  'Maximum number of websocket connections exceeded. You have reached the connection limit for your account. Please contact support at https://massive.com/contact to increase your limit.'

/** T with the fields the provider sends (`c` only when the trade has conditions: the provider omits it for regular sales). */
export function tradeEvent(trade: Trade): object {
  const event: Record<string, unknown> = { ev: 'T', sym: trade.symbol, i: String(trade.q), x: 4, p: trade.p, s: trade.s, t: trade.t, q: trade.q, z: 3 }
  if (trade.c !== undefined && trade.c.length > 0) event.c = trade.c
  return event
}

/** Q with the fields the provider sends (S-WS example: bx/bp/bs, ax/ap/as, c, i, t, q, z). */
export function quoteEvent(quote: Quote): object {
  return {
    ev: 'Q',
    sym: quote.symbol,
    bx: quote.bidExchange,
    bp: quote.bid,
    bs: quote.bidSize,
    ax: quote.askExchange,
    ap: quote.ask,
    as: quote.askSize,
    c: quote.condition ?? 0,
    i: [],
    t: quote.t,
    q: quote.q,
    z: 3,
  }
}

/** What a plan without quotes answers a `Q.<symbol>` subscription with (the provider's exact text is unconfirmed). */
export function quotesNotAuthorizedEvent(channel: string): object {
  return statusEvent('error', `You are not authorized to access: ${channel}`)
}

/** AM as the provider sends it, with today's accumulated volume, official open and VWAP as of the window end. */
export function minuteEvent(symbol: string, bar: Bar): Record<string, unknown> {
  const end = bar.t + MINUTE_MS
  const dayStart = nyDayStart(bar.t)
  const day = dayBars(symbol, dayStart, dayStart + 1, end)[0]
  const z = bar.n > 0 ? Math.round(bar.v / bar.n) : 0
  return {
    ev: 'AM',
    sym: symbol,
    v: bar.v,
    av: day?.v ?? bar.v,
    op: day?.o ?? bar.o,
    vw: bar.vw,
    o: bar.o,
    c: bar.c,
    h: bar.h,
    l: bar.l,
    a: day?.vw ?? bar.vw,
    z,
    s: bar.t,
    e: end,
  }
}

export function statusEvent(status: string, message: string): object {
  return { ev: 'status', status, message }
}

/** Events in frames of at most MAX_EVENTS_PER_FRAME: always a JSON array, never an empty one. */
export function sendEvents(ws: ServerWebSocket<unknown>, events: object[]): void {
  for (let i = 0; i < events.length; i += MAX_EVENTS_PER_FRAME)
    ws.send(JSON.stringify(events.slice(i, i + MAX_EVENTS_PER_FRAME)))
}

/** `T.AAPL, AM.BRK.B` → channels split at the first dot (tickers may contain dots); ev/symbol empty when malformed. */
export function parseChannels(params: string): { channel: string; ev: string; symbol: string }[] {
  return params
    .split(',')
    .map((channel) => channel.trim())
    .filter(Boolean)
    .map((channel) => {
      const dot = channel.indexOf('.')
      return dot > 0
        ? { channel, ev: channel.slice(0, dot), symbol: channel.slice(dot + 1) }
        : { channel, ev: '', symbol: '' }
    })
}
