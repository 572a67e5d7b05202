/** A local Massive-compatible server for tests (Bun.serve, port 0): REST (stocks, options, market status) and the stocks WebSocket feed, driven by the simulated market, with failure switches. */

import {
  handleAggs,
  AGGS_PATH,
  corrected,
  type BarCorrection,
  type BaseBarSource,
  type FakeReply,
} from './massive-aggs.ts'
import {
  handleSnapshotList,
  handleSnapshotOne,
  handleTickerDetails,
  handleTickerSearch,
  SNAPSHOT_ONE_PATH,
  SNAPSHOTS_PATH,
  TICKER_DETAILS_PATH,
  TICKER_SEARCH_PATH,
} from './massive-snapshots.ts'
import {
  FakeFeedHub,
  defaultFeedSwitches,
  zeroFeedCounts,
  type BarPatch,
  type FeedCounts,
  type FeedSwitches,
  type RecordedFeedFrame,
} from './massive-ws.ts'
import { handleOptions, isOptionsPath } from './massive-options.ts'
import { handleMarketStatus, isMarketStatusPath } from './massive-market-status.ts'
import { handleSplits, isSplitsPath } from './massive-splits.ts'
import { CONDITIONS_PATH, handleConditions } from './massive-conditions.ts'
import { handleTrades, TRADES_PATH } from './massive-trades.ts'
import type { CalendarOverride } from '../../src/core/calendar.ts'
import { dayBars, minuteBars } from '../../src/adapters/simulated/market.ts'
import { isKnownTicker } from '../../src/adapters/simulated/universe.ts'
import { adjustmentAsOf } from '../../src/adapters/simulated/splits.ts'
import { adjustBar } from '../../src/core/splits.ts'

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

/** Mutable failure switches; tests flip them between calls. reset() restores these defaults. REST switches apply to HTTP only. */
export interface MassiveSwitches extends FeedSwitches {
  /** Every request gets 401 "Unknown API Key". */
  badKey: boolean
  /** Every authenticated request gets 403 NOT_AUTHORIZED (plan does not include the data). */
  notAuthorized: boolean
  /** The next N requests get 429, or every request with 'always'. */
  rateLimit: number | 'always'
  /** Retry-After (seconds) sent with each 429; null = no header (its presence is unconfirmed upstream). */
  rateLimitRetryAfterSec: number | null
  /** The next N requests get serverErrorStatus, or every request with 'always'. */
  serverError: number | 'always'
  serverErrorStatus: 500 | 502 | 503 | 504
  /** Delay before every response, in ms. */
  slowMs: number
  /** true: 200 with a body that is not JSON; 'shape': 200 with JSON of the wrong shape. */
  malformed: boolean | 'shape'
  /** Unit of snapshot `updated` / `lastTrade.t` (the provider sends ns). */
  snapshotTimeUnit: 'ns' | 'ms'
  /** Days the provider's market status knows beyond the computed calendar (e.g. an unscheduled closure); trades are not affected. */
  marketOverrides: CalendarOverride[]
  /** `/stocks/v1/splits` answers 404 (as before 2026-02): only the older `/v3/reference/splits` serves splits. */
  splitsLegacyOnly: boolean
  /** Both splits references list nothing (lagging, or not in the plan) while bars stay split-adjusted. */
  splitsUnlisted: boolean
  /** Base bars corrected after the fact: REST aggregates serve these values in place of the market's. */
  barCorrections: BarCorrection[]
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

export type MassiveEndpoint = 'aggs' | 'snapshots' | 'tickers' | 'options' | 'marketStatus' | 'other'

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

export function defaultSwitches(): MassiveSwitches {
  return {
    badKey: false,
    notAuthorized: false,
    rateLimit: 0,
    rateLimitRetryAfterSec: null,
    serverError: 0,
    serverErrorStatus: 503,
    slowMs: 0,
    malformed: false,
    snapshotTimeUnit: 'ns',
    marketOverrides: [],
    splitsLegacyOnly: false,
    splitsUnlisted: false,
    barCorrections: [],
    ...defaultFeedSwitches(),
  }
}

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
  const bars: BaseBarSource = {
    isKnownTicker,
    // adjusted=false: prices and volumes as they printed, before later splits (src/adapters/simulated/splits.ts).
    unadjust: (ticker, bar) => adjustBar(bar, 1 / adjustmentAsOf(ticker, bar.t, now())),
    baseBars: (ticker, base, fromMs, toMs) => {
      const from = Math.max(fromMs, opts.historyStartMs ?? fromMs)
      const bars = (base === 'minute' ? minuteBars : dayBars)(ticker, from, toMs, now())
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

/** Auth and the failure switches, in the order a real provider would apply them; null = go on. */
function gate(req: Request, url: URL, sw: MassiveSwitches, apiKey: string): FakeReply | null {
  if (sw.badKey) return { status: 401, body: { status: 'ERROR', error: 'Unknown API Key' } }
  const key = presentedKey(req, url)
  if (key === null) return { status: 401, body: { status: 'ERROR', error: 'API Key was not provided' } }
  if (key !== apiKey) return { status: 401, body: { status: 'ERROR', error: 'Unknown API Key' } }
  if (sw.notAuthorized) {
    const message = 'You are not entitled to this data. Please upgrade your plan at https://massive.com/pricing'
    return { status: 403, body: { status: 'NOT_AUTHORIZED', message } }
  }
  if (consume(sw, 'rateLimit')) {
    const error =
      "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://massive.com/pricing"
    return { status: 429, body: { status: 'ERROR', error } }
  }
  if (consume(sw, 'serverError'))
    return { status: sw.serverErrorStatus, body: { status: 'ERROR', error: 'Internal server error' } }
  return null
}

function route(
  url: URL,
  endpoint: MassiveEndpoint,
  nowMs: number,
  bars: BaseBarSource,
  sw: MassiveSwitches,
): FakeReply {
  if (endpoint === 'aggs') return handleAggs(url, bars)
  if (endpoint === 'options') return handleOptions(url, nowMs)!
  if (endpoint === 'marketStatus') return handleMarketStatus(url.pathname, nowMs, sw.marketOverrides)
  if (isSplitsPath(url.pathname))
    return handleSplits(url, nowMs, sw.splitsLegacyOnly, sw.splitsUnlisted ? [] : undefined)
  if (SNAPSHOTS_PATH === url.pathname) return handleSnapshotList(url, nowMs, sw.snapshotTimeUnit)
  const one = url.pathname.match(SNAPSHOT_ONE_PATH)
  if (one) return handleSnapshotOne(decodeURIComponent(one[1]!), nowMs, sw.snapshotTimeUnit)
  const details = url.pathname.match(TICKER_DETAILS_PATH)
  if (details) return handleTickerDetails(decodeURIComponent(details[1]!))
  if (url.pathname === TICKER_SEARCH_PATH) return handleTickerSearch(url)
  if (url.pathname === CONDITIONS_PATH) return handleConditions(url)
  const trades = url.pathname.match(TRADES_PATH)
  if (trades) return handleTrades(url, decodeURIComponent(trades[1]!), nowMs)
  return { status: 404, body: { status: 'NOT_FOUND', message: 'The specified resource was not found' } }
}

function endpointOf(pathname: string): MassiveEndpoint {
  if (AGGS_PATH.test(pathname)) return 'aggs'
  if (pathname === SNAPSHOTS_PATH || SNAPSHOT_ONE_PATH.test(pathname)) return 'snapshots'
  if (TICKER_DETAILS_PATH.test(pathname) || pathname === TICKER_SEARCH_PATH) return 'tickers'
  if (isOptionsPath(pathname)) return 'options'
  if (isMarketStatusPath(pathname)) return 'marketStatus'
  return 'other'
}

/** Bearer header (what official clients send) or ?apiKey= (what the spec declares). */
function presentedKey(req: Request, url: URL): string | null {
  const header = req.headers.get('authorization')
  const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]
  return bearer ?? url.searchParams.get('apiKey')
}

/** True when the switch fires for this request, counting down a numeric switch. */
function consume(sw: MassiveSwitches, name: 'rateLimit' | 'serverError'): boolean {
  const value = sw[name]
  if (value === 'always') return true
  if (value > 0) {
    sw[name] = value - 1
    return true
  }
  return false
}

/** JSON envelope with request_id (body and X-Request-Id), gzip when accepted, and the malformed switch. */
function respond(req: Request, reply: FakeReply, sw: MassiveSwitches): Response {
  const requestId = crypto.randomUUID().replaceAll('-', '')
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Request-Id': requestId }
  if (reply.status === 429 && sw.rateLimitRetryAfterSec !== null)
    headers['Retry-After'] = String(sw.rateLimitRetryAfterSec)
  let text =
    reply.bare !== undefined ? JSON.stringify(reply.bare) : JSON.stringify({ ...reply.body, request_id: requestId })
  if (reply.status === 200 && sw.malformed === true) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)))
  if (reply.status === 200 && sw.malformed === 'shape')
    text = JSON.stringify({ status: 'OK', request_id: requestId, results: 'oops', tickers: 7 })
  if (!(req.headers.get('accept-encoding') ?? '').includes('gzip'))
    return new Response(text, { status: reply.status, headers })
  headers['Content-Encoding'] = 'gzip'
  return new Response(Bun.gzipSync(new TextEncoder().encode(text)), { status: reply.status, headers })
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
