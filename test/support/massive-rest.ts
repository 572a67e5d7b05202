/** The local Massive server's REST side: its failure switches, the auth and switches gate, routing to the endpoint handlers, and the JSON envelope (request_id, gzip). */
import { handleAggs, AGGS_PATH, type BarCorrection, type BaseBarSource, type FakeReply } from './massive-aggs.ts'
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
import { defaultFeedSwitches, type FeedSwitches } from './massive-ws.ts'
import { handleOptions, isOptionsPath } from './massive-options.ts'
import { handleMarketStatus, isMarketStatusPath } from './massive-market-status.ts'
import { handleSplits, isSplitsPath } from './massive-splits.ts'
import { CONDITIONS_PATH, handleConditions } from './massive-conditions.ts'
import { handleTrades, TRADES_PATH } from './massive-trades.ts'
import type { CalendarOverride } from '../../src/core/calendar.ts'

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
  /** The provider adjusts its history for a split late: before this instant of its now, REST aggregates serve bars as printed (null: adjusted as soon as the split takes effect). */
  historyAdjustedAt: number | null
}

export type MassiveEndpoint = 'aggs' | 'snapshots' | 'tickers' | 'options' | 'marketStatus' | 'other'

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
    historyAdjustedAt: null,
    ...defaultFeedSwitches(),
  }
}

/** Auth and the failure switches, in the order a real provider would apply them; null = go on. */
export function gate(req: Request, url: URL, sw: MassiveSwitches, apiKey: string): FakeReply | null {
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

/** The endpoint handler that answers `url`, or 404 NOT_FOUND. */
export function route(
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

/** Which counter a request path adds to. */
export function endpointOf(pathname: string): MassiveEndpoint {
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
export function respond(req: Request, reply: FakeReply, sw: MassiveSwitches): Response {
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
