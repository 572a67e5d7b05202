/** The fake Massive stocks WebSocket feed (massive-api.md section 5): auth, per-channel acks, T, Q and AM events from the simulated market, failure switches. */

import type { Server, ServerWebSocket, WebSocketHandler } from 'bun'
import { minuteBars, tradesBetween } from '../../src/adapters/simulated/market.ts'
import { quotesOfMinute } from '../../src/adapters/simulated/quote-model.ts'
import { simulatedUniverse } from '../../src/adapters/simulated/universe.ts'
import { MINUTE_MS } from '../../src/core/market-time.ts'
import type { Bar } from '../../src/core/market-types.ts'
import {
  MAX_CONNECTIONS_MESSAGE,
  minuteEvent,
  parseChannels,
  quoteEvent,
  quotesNotAuthorizedEvent,
  sendEvents,
  statusEvent,
  tradeEvent,
} from './massive-ws-events.ts'

/** Feed switches (part of the server's switches; reset() restores these defaults). */
export interface FeedSwitches {
  /** Answer every auth with auth_failed. */
  wsRefuseAuth: boolean
  /** Never answer auth (for client auth timeouts). */
  wsIgnoreAuth: boolean
  /** Close code after auth_failed; null = leave the socket open (who closes is unconfirmed upstream). */
  wsAuthFailedCloseCode: number | null
  /** Send no T/AM data while true; the socket stays open and the data of that time is lost (a gap). */
  wsStall: boolean
  /** Subscribe acks: one frame per channel (PY mock, 3P logs) or all acks of a request in one frame (unconfirmed). */
  wsAckFrames: 'per-channel' | 'one-frame'
  /** Open connections allowed; beyond it one is evicted with max_connections + 1008. null = no limit. */
  wsConnectionLimit: number | null
  /** Which connection the limit evicts (unconfirmed upstream). */
  wsEvict: 'oldest' | 'newest'
  /** `Q` subscriptions: served (the simulated NBBO, quote-model.ts), or refused as a plan without quotes does. */
  wsQuotes: 'on' | 'not_authorized'
}

export interface FeedCounts {
  /** Feed connections opened. */
  wsConnections: number
  /** `auth` frames received. */
  wsAuth: number
  wsSubscribe: number
  wsUnsubscribe: number
}

/** One feed event as the server saw it. */
export interface RecordedFeedFrame {
  connection: number
  kind: 'open' | 'auth' | 'subscribe' | 'unsubscribe' | 'other' | 'close'
  /** `params` of a client frame (the key is not recorded), or the raw text of an unknown frame. */
  params?: string
  code?: number
  /** The server's now() at the time. */
  at: number
}

export interface FeedState {
  switches: FeedSwitches
  counts: FeedCounts
  wsLog: RecordedFeedFrame[]
}

/** A minute bar correction: wire fields to change in the re-sent AM event. */
export type BarPatch = Partial<Pick<Bar, 'o' | 'h' | 'l' | 'c' | 'v' | 'vw'>>

export function defaultFeedSwitches(): FeedSwitches {
  return {
    wsRefuseAuth: false,
    wsIgnoreAuth: false,
    wsAuthFailedCloseCode: 1008,
    wsStall: false,
    wsAckFrames: 'per-channel',
    wsConnectionLimit: null,
    wsEvict: 'oldest',
    wsQuotes: 'on',
  }
}

export function zeroFeedCounts(): FeedCounts {
  return { wsConnections: 0, wsAuth: 0, wsSubscribe: 0, wsUnsubscribe: 0 }
}

/** Channels of one event type on one connection: explicit symbols, `*`, and a cursor per active symbol. */
interface ChannelSet {
  explicit: Set<string>
  all: boolean
  /** T: trades are sent up to (excluding) this ms; AM: the next minute index to send. */
  cursor: Map<string, number>
}

interface Connection {
  id: number
  authed: boolean
  trades: ChannelSet
  quotes: ChannelSet
  bars: ChannelSet
}

type FeedSocket = ServerWebSocket<Connection>

/** Minute bars caught up per symbol when time jumps (a bound on one tick's work). */
const MAX_BAR_CATCH_UP_MINUTES = 120
const UNIVERSE = simulatedUniverse.map((t) => t.ticker)

/**
 * Holds the feed connections of one fake server. Data is pushed on a shared timer every tickMs:
 * T events for trades in [cursor, now()) of each subscribed symbol, merged by time, then an AM
 * event per symbol for every minute that ended since the last tick (only minutes with trades,
 * as the provider sends no zero-volume bars). A subscription starts at now(): no history.
 */
export class FakeFeedHub {
  private readonly sockets = new Set<FeedSocket>()
  private nextId = 1
  private ticker: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly apiKey: string,
    private readonly now: () => number,
    private readonly tickMs: number,
    private readonly state: FeedState,
  ) {}

  /** Upgrades a request for the feed path; a Response only when it is not a WebSocket request. */
  upgrade(req: Request, server: Server<Connection>): Response | undefined {
    const data: Connection = { id: this.nextId++, authed: false, trades: emptySet(), quotes: emptySet(), bars: emptySet() }
    if (server.upgrade(req, { data })) return undefined
    return new Response('Expected a WebSocket upgrade', { status: 426 })
  }

  readonly handlers: WebSocketHandler<Connection> = {
    open: (ws) => this.onOpen(ws),
    message: (ws, message) => this.onMessage(ws, typeof message === 'string' ? message : message.toString()),
    close: (ws, code) => {
      this.sockets.delete(ws)
      this.record(ws, 'close', { code })
      if (this.sockets.size === 0) this.stopTicker()
    },
  }

  get openConnections(): number {
    return this.sockets.size
  }

  /** Ends every connection without a close frame (the client sees 1006). */
  drop(): number {
    const all = [...this.sockets]
    for (const ws of all) ws.terminate()
    return all.length
  }

  /** Sends a status event to every connection, then closes each with closeCode (null = keep open). */
  sendStatus(status: string, message: string, closeCode: number | null = null): number {
    const all = [...this.sockets]
    for (const ws of all) {
      sendEvents(ws, [statusEvent(status, message)])
      if (closeCode !== null) ws.close(closeCode, status)
    }
    return all.length
  }

  maxConnections(): number {
    return this.sendStatus('max_connections', MAX_CONNECTIONS_MESSAGE, 1008)
  }

  /** Sends `text` verbatim to every connection (malformed-frame tests). */
  sendRaw(text: string): number {
    for (const ws of this.sockets) ws.send(text)
    return this.sockets.size
  }

  /** Re-sends the minute bar of `symbol` starting at t, with `patch` applied, to every connection subscribed to its AM channel. */
  resendBar(symbol: string, t: number, patch: BarPatch): number {
    const bar = minuteBars(symbol, t, t + 1, this.now())[0]
    if (!bar || bar.t !== t) throw new Error(`resendBar: ${symbol} has no minute bar at ${t}`)
    const event = { ...minuteEvent(symbol, bar), ...patch }
    let sent = 0
    for (const ws of this.sockets) {
      if (ws.data.authed && ws.data.bars.cursor.has(symbol)) (sendEvents(ws, [event]), sent++)
    }
    return sent
  }

  stop(): void {
    this.stopTicker()
  }

  private onOpen(ws: FeedSocket): void {
    this.sockets.add(ws)
    this.state.counts.wsConnections++
    this.record(ws, 'open')
    if (!this.ticker) this.ticker = setInterval(() => this.tick(), this.tickMs)
    sendEvents(ws, [statusEvent('connected', 'Connected Successfully')])
    const limit = this.state.switches.wsConnectionLimit
    if (limit !== null && this.sockets.size > limit) {
      const victim = this.state.switches.wsEvict === 'newest' ? ws : this.sockets.values().next().value!
      sendEvents(victim, [statusEvent('max_connections', MAX_CONNECTIONS_MESSAGE)])
      victim.close(1008, 'max_connections')
    }
  }

  private onMessage(ws: FeedSocket, text: string): void {
    let frame: unknown
    try {
      frame = JSON.parse(text)
    } catch {
      frame = null
    }
    const action = isRecord(frame) && typeof frame.action === 'string' ? frame.action : null
    const params = isRecord(frame) && typeof frame.params === 'string' ? frame.params : ''
    const sw = this.state.switches
    if (action === 'auth') {
      this.state.counts.wsAuth++
      this.record(ws, 'auth')
      if (sw.wsIgnoreAuth) return
      if (sw.wsRefuseAuth || params !== this.apiKey) {
        sendEvents(ws, [statusEvent('auth_failed', 'authentication failed')])
        if (sw.wsAuthFailedCloseCode !== null) ws.close(sw.wsAuthFailedCloseCode, 'authentication failed')
        return
      }
      ws.data.authed = true
      sendEvents(ws, [statusEvent('auth_success', 'authenticated')])
    } else if (action === 'subscribe' || action === 'unsubscribe') {
      this.state.counts[action === 'subscribe' ? 'wsSubscribe' : 'wsUnsubscribe']++
      this.record(ws, action, { params })
      if (!ws.data.authed) return sendEvents(ws, [statusEvent('auth_required', 'authentication required')])
      this.applyChannels(ws, action, params)
    } else {
      this.record(ws, 'other', { params: text.slice(0, 200) })
      sendEvents(ws, [statusEvent('error', `unknown action: ${action ?? text.slice(0, 50)}`)])
    }
  }

  private applyChannels(ws: FeedSocket, action: 'subscribe' | 'unsubscribe', params: string): void {
    const acks: object[] = []
    for (const { channel, ev, symbol } of parseChannels(params)) {
      if (!ev || !symbol) {
        acks.push(statusEvent('error', `invalid channel: ${channel}`))
        continue
      }
      if (ev === 'Q' && action === 'subscribe' && this.state.switches.wsQuotes === 'not_authorized') {
        acks.push(quotesNotAuthorizedEvent(channel))
        continue
      }
      const set = ev === 'T' ? ws.data.trades : ev === 'Q' ? ws.data.quotes : ev === 'AM' ? ws.data.bars : null
      if (set && symbol === '*') set.all = action === 'subscribe'
      else if (set && action === 'subscribe') set.explicit.add(symbol)
      else if (set) set.explicit.delete(symbol)
      acks.push(statusEvent('success', `${action}d to: ${channel}`))
    }
    const now = this.now()
    refreshCursors(ws.data.trades, now)
    refreshCursors(ws.data.quotes, now)
    refreshCursors(ws.data.bars, Math.floor(now / MINUTE_MS))
    if (this.state.switches.wsAckFrames === 'one-frame') sendEvents(ws, acks)
    else for (const ack of acks) sendEvents(ws, [ack])
  }

  private tick(): void {
    const now = this.now()
    const minute = Math.floor(now / MINUTE_MS)
    for (const ws of this.sockets) {
      if (!ws.data.authed) continue
      const trades = this.tradeEvents(ws.data.trades, ws.data.quotes, now)
      const bars = this.barEvents(ws.data.bars, minute, now)
      if (this.state.switches.wsStall) continue
      sendEvents(ws, trades)
      sendEvents(ws, bars)
    }
  }

  /**
   * T and Q events of every active symbol in [cursor, now), ascending by t (stable across
   * symbols; a trade's quotes, the last at its own t, before it); cursors move to now.
   */
  private tradeEvents(set: ChannelSet, quoteSet: ChannelSet, now: number): object[] {
    const events: { t: number; rank: number; event: object }[] = []
    for (const [symbol, from] of set.cursor) {
      if (now <= from) continue
      for (const trade of tradesBetween(symbol, from, now)) events.push({ t: trade.t, rank: 1, event: tradeEvent(trade) })
      set.cursor.set(symbol, now)
    }
    for (const [symbol, from] of quoteSet.cursor) {
      if (now <= from) continue
      for (let m = Math.floor(from / MINUTE_MS) * MINUTE_MS; m < now; m += MINUTE_MS)
        for (const quote of quotesOfMinute(symbol, tradesBetween(symbol, m, m + MINUTE_MS)))
          if (quote.t >= from && quote.t < now) events.push({ t: quote.t, rank: 0, event: quoteEvent(quote) })
      quoteSet.cursor.set(symbol, now)
    }
    return events.sort((a, b) => a.t - b.t || a.rank - b.rank).map((e) => e.event)
  }

  /** AM events for minutes that ended before `minute`, by window start; cursors move to `minute`. */
  private barEvents(set: ChannelSet, minute: number, now: number): object[] {
    const events: { t: number; event: object }[] = []
    for (const [symbol, next] of set.cursor) {
      if (minute <= next) continue
      const from = Math.max(next, minute - MAX_BAR_CATCH_UP_MINUTES) * MINUTE_MS
      for (const bar of minuteBars(symbol, from, minute * MINUTE_MS, now))
        events.push({ t: bar.t, event: minuteEvent(symbol, bar) })
      set.cursor.set(symbol, minute)
    }
    return events.sort((a, b) => a.t - b.t).map((e) => e.event)
  }

  private record(ws: FeedSocket, kind: RecordedFeedFrame['kind'], extra: Partial<RecordedFeedFrame> = {}): void {
    this.state.wsLog.push({ connection: ws.data.id, kind, at: this.now(), ...extra })
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker)
    this.ticker = null
  }
}

function emptySet(): ChannelSet {
  return { explicit: new Set(), all: false, cursor: new Map() }
}

/** Active symbols get a cursor at `start` when new; inactive ones lose theirs. */
function refreshCursors(set: ChannelSet, start: number): void {
  const active = set.all ? new Set([...UNIVERSE, ...set.explicit]) : set.explicit
  for (const symbol of active) if (!set.cursor.has(symbol)) set.cursor.set(symbol, start)
  for (const symbol of set.cursor.keys()) if (!active.has(symbol)) set.cursor.delete(symbol)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
