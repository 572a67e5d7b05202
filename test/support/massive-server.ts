/** A local Massive-compatible server for tests (Bun.serve, port 0): REST (stocks, options, market status) and the stocks WebSocket feed, driven by the simulated market, with failure switches. */

import { corrected, type BaseBarSource } from './massive-aggs.ts'
import { FakeFeedHub, zeroFeedCounts, type BarPatch, type FeedCounts, type RecordedFeedFrame } from './massive-ws.ts'
import {
  defaultSwitches,
  endpointOf,
  gate,
  respond,
  route,
  type MassiveEndpoint,
  type MassiveSwitches,
} from './massive-rest.ts'
import { dayBars, minuteBars } from '../../src/adapters/simulated/market.ts'
import { isKnownTicker } from '../../src/adapters/simulated/universe.ts'
import { adjustmentAsOf } from '../../src/adapters/simulated/splits.ts'
import { adjustBar } from '../../src/core/splits.ts'
import type { Bar } from '../../src/core/market-types.ts'

export { defaultSwitches, type MassiveEndpoint, type MassiveSwitches } from './massive-rest.ts'

export interface MassiveServerOptions {
  /** The key the server accepts. @default 'test-massive-key' */
  apiKey?: string
  /** The market's "now": bars and snapshots are as of this instant. @default Date.now */
  now?: () => number
  /** @default 0 (any free port) */
  port?: number
  /** How often the feed pushes trades (and minute bars at minute boundaries), in real ms. @default 100 */
  feedTickMs?: number
  /** Where the provider's history begins (Unix ms): no bars before it, as for a plan's history limit. @default none */
  historyStartMs?: number
}

/** REST requests (`total` counts HTTP requests only) and feed frames (ws*). */
export interface MassiveCounts extends FeedCounts {
  total: number
  aggs: number
  snapshots: number
  tickers: number
  /** Options reference contracts and option snapshots (massive-options.ts). */
  options: number
  /** /v1/marketstatus/now and /upcoming (massive-market-status.ts). */
  marketStatus: number
  other: number
}

/** One request as the server saw it, for tests that check what went over the wire. */
export interface RecordedRequest {
  endpoint: MassiveEndpoint
  /** Path and query exactly as requested. */
  pathAndQuery: string
  authorization: string | null
  acceptEncoding: string | null
  /** The server's now() on arrival. */
  at: number
  status?: number
  /** next_url the server issued in its answer, if any. */
  nextUrl?: string
}

export interface MassiveServer {
  /** Base URL, e.g. http://localhost:43123 (no trailing slash). */
  url: string
  /** The stocks feed, e.g. ws://localhost:43123/stocks. */
  wsUrl: string
  apiKey: string
  switches: MassiveSwitches
  counts: MassiveCounts
  log: RecordedRequest[]
  /** Feed connections, auth and (un)subscribe frames, in arrival order. */
  wsLog: RecordedFeedFrame[]
  /** Feed connections open right now. */
  readonly wsOpenConnections: number
  /** Drop every feed connection abruptly (no close frame: clients see 1006). Returns how many. */
  wsDrop(): number
  /** Send `max_connections` to every feed connection, then close each with 1008. */
  wsMaxConnections(): number
  /** Send any status event (e.g. force_disconnect, slow_consumer) to every feed connection; close with closeCode if given. */
  wsSendStatus(status: string, message: string, closeCode?: number | null): number
  /** Re-send the already-formed minute bar of `symbol` at `t` with corrected values (a provider correction). */
  wsResendBar(symbol: string, t: number, patch: BarPatch): number
  /** Send raw text to every feed connection (malformed frames). */
  wsSendRaw(text: string): number
  /** Zero counts, clear the logs, restore default switches (open feed connections stay open). */
  reset(): void
  stop(): Promise<void>
}

/** WebSocket feed path (massive-api.md section 5), served by this same server (see massive-ws.ts). */
export const STOCKS_FEED_PATH = '/stocks'

function zeroCounts(): MassiveCounts {
  return { total: 0, aggs: 0, snapshots: 0, tickers: 0, options: 0, marketStatus: 0, other: 0, ...zeroFeedCounts() }
}

export function createMassiveServer(opts: MassiveServerOptions = {}): MassiveServer {
  const apiKey = opts.apiKey ?? 'test-massive-key'
  const now = opts.now ?? Date.now
  const state = {
    switches: defaultSwitches(),
    counts: zeroCounts(),
    log: [] as RecordedRequest[],
    wsLog: [] as RecordedFeedFrame[],
  }
  const feed = new FakeFeedHub(apiKey, now, opts.feedTickMs ?? 100, state)
  // Prices and volumes as they printed, before later splits (src/adapters/simulated/splits.ts).
  const asPrinted = (ticker: string, bar: Bar) => adjustBar(bar, 1 / adjustmentAsOf(ticker, bar.t, now()))
  const bars: BaseBarSource = {
    isKnownTicker,
    unadjust: asPrinted,
    baseBars: (ticker, base, fromMs, toMs) => {
      const from = Math.max(fromMs, opts.historyStartMs ?? fromMs)
      const adjustedAt = state.switches.historyAdjustedAt
      const market = (base === 'minute' ? minuteBars : dayBars)(ticker, from, toMs, now())
      const bars = adjustedAt !== null && now() < adjustedAt ? market.map((b) => asPrinted(ticker, b)) : market
      return corrected(ticker, base, bars, state.switches.barCorrections)
    },
  }

  const server = Bun.serve({
    port: opts.port ?? 0,
    websocket: feed.handlers,
    async fetch(req, srv) {
      const url = new URL(req.url)
      // The feed authenticates with its first frame, not with the upgrade request (section 5.2).
      if (url.pathname === STOCKS_FEED_PATH) return feed.upgrade(req, srv)
      const endpoint = endpointOf(url.pathname)
      const entry: RecordedRequest = {
        endpoint,
        pathAndQuery: url.pathname + url.search,
        authorization: req.headers.get('authorization'),
        acceptEncoding: req.headers.get('accept-encoding'),
        at: now(),
      }
      state.log.push(entry)
      state.counts.total++
      state.counts[endpoint]++
      const sw = state.switches
      if (sw.slowMs > 0) await Bun.sleep(sw.slowMs)
      const reply = gate(req, url, sw, apiKey) ?? route(url, endpoint, now(), bars, sw)
      entry.status = reply.status
      if (typeof reply.body.next_url === 'string') entry.nextUrl = reply.body.next_url
      return respond(req, reply, sw)
    },
  })

  return {
    url: server.url.origin,
    wsUrl: `ws://${server.url.host}${STOCKS_FEED_PATH}`,
    apiKey,
    get switches() {
      return state.switches
    },
    set switches(value) {
      state.switches = value
    },
    get counts() {
      return state.counts
    },
    get log() {
      return state.log
    },
    get wsLog() {
      return state.wsLog
    },
    get wsOpenConnections() {
      return feed.openConnections
    },
    wsDrop: () => feed.drop(),
    wsMaxConnections: () => feed.maxConnections(),
    wsSendStatus: (status, message, closeCode = null) => feed.sendStatus(status, message, closeCode),
    wsResendBar: (symbol, t, patch) => feed.resendBar(symbol, t, patch),
    wsSendRaw: (text) => feed.sendRaw(text),
    reset() {
      state.switches = defaultSwitches()
      state.counts = zeroCounts()
      state.log = []
      state.wsLog = []
    },
    stop: async () => {
      feed.stop()
      await server.stop(true)
    },
  }
}

/** The app settings that point the real Massive adapters (REST and stream) at this server, with no request budget and no prefetch. */
export function massiveAppEnv(massive: MassiveServer): Record<string, string> {
  return {
    MASSIVE_API_KEY: massive.apiKey,
    MASSIVE_REST_URL: massive.url,
    MASSIVE_WS_URL: massive.wsUrl,
    MASSIVE_REQUESTS_PER_MINUTE: '0',
    PREFETCH_INTERVAL_SECONDS: '0',
  }
}
