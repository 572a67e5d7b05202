/** The local Massive fake's snapshot and ticker-reference endpoints, built from the simulated market. */

import { dayBars, minuteBars, snapshotAt, tradesBetween } from '../../src/adapters/simulated/market.ts'
import {
  findSimulatedTicker,
  searchSimulatedTickers,
  simulatedUniverse,
  type SimulatedTicker,
} from '../../src/adapters/simulated/universe.ts'
import { DAY_MS, MINUTE_MS, nyDayStart } from '../../src/core/market-time.ts'
import { nbboAt } from '../../src/adapters/simulated/quote-model.ts'
import type { FakeReply } from './massive-aggs.ts'

export const SNAPSHOTS_PATH = '/v2/snapshot/locale/us/markets/stocks/tickers'
export const SNAPSHOT_ONE_PATH = /^\/v2\/snapshot\/locale\/us\/markets\/stocks\/tickers\/([^/]+)$/
export const TICKER_DETAILS_PATH = /^\/v3\/reference\/tickers\/([^/]+)$/
export const TICKER_SEARCH_PATH = '/v3/reference/tickers'

export type TimeUnit = 'ns' | 'ms'

const NOT_FOUND: FakeReply = { status: 404, body: { status: 'NOT_FOUND', message: 'Ticker not found.' } }

/**
 * GET /v2/snapshot/locale/us/markets/stocks/tickers?tickers=A,B (section 3.1): known tickers in
 * the order asked, unknown ones omitted (provider behaviour unconfirmed); no `tickers` = all.
 */
export function handleSnapshotList(url: URL, nowMs: number, unit: TimeUnit): FakeReply {
  const param = url.searchParams.get('tickers')
  const asked = param ? param.split(',').map((t) => t.trim()).filter(Boolean) : simulatedUniverse.map((s) => s.ticker)
  const tickers = asked.filter((t) => findSimulatedTicker(t) !== undefined).map((t) => snapshotObject(t, nowMs, unit))
  return { status: 200, body: { status: 'OK', count: tickers.length, tickers } }
}

/** GET .../tickers/{T} (section 3.2): singular `ticker` key; an unknown ticker gets the reference 404 (unconfirmed). */
export function handleSnapshotOne(ticker: string, nowMs: number, unit: TimeUnit): FakeReply {
  if (!findSimulatedTicker(ticker)) return NOT_FOUND
  return { status: 200, body: { status: 'OK', ticker: snapshotObject(ticker, nowMs, unit) } }
}

/** GET /v3/reference/tickers/{T}: known → results object; unknown → 404 NOT_FOUND "Ticker not found.". */
export function handleTickerDetails(ticker: string): FakeReply {
  const entry = findSimulatedTicker(ticker)
  if (!entry) return NOT_FOUND
  return { status: 200, body: { status: 'OK', results: referenceTicker(entry) } }
}

/**
 * GET /v3/reference/tickers?search=&limit= (section 2): the simulated universe matching `search`
 * in ticker or name, sorted by ticker as the provider does; `limit` 1-1000, default 100.
 */
export function handleTickerSearch(url: URL): FakeReply {
  const limit = Number(url.searchParams.get('limit') ?? 100)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    return { status: 400, body: { status: 'ERROR', error: 'limit must be between 1 and 1000' } }
  const search = url.searchParams.get('search') ?? ''
  const found = search ? searchSimulatedTickers(search, simulatedUniverse.length) : [...simulatedUniverse]
  const results = found
    .sort((a, b) => (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0))
    .slice(0, limit)
    .map(referenceTicker)
  return { status: 200, body: { status: 'OK', count: results.length, results } }
}

function referenceTicker(entry: SimulatedTicker): Record<string, unknown> {
  return {
    ticker: entry.ticker,
    name: entry.name,
    market: 'stocks',
    locale: 'us',
    primary_exchange: entry.exchange,
    type: entry.type,
    active: true,
    currency_name: 'usd',
  }
}

/**
 * One ticker snapshot object (section 3.3) consistent with the simulated market:
 * lastTrade.p = last, todaysChange = last - prevDay.c, `updated`/`lastTrade.t` in ns (or ms),
 * `min.t` in ms.
 */
export function snapshotObject(ticker: string, nowMs: number, unit: TimeUnit): Record<string, unknown> {
  const snap = snapshotAt(ticker, nowMs)!
  const trade = tradesBetween(ticker, snap.updatedAt, snap.updatedAt + 1).at(-1)
  const stamp = (ms: number) => (unit === 'ns' ? ms * 1_000_000 : ms)
  const todayStart = nyDayStart(nowMs)
  const today = dayBars(ticker, todayStart, nowMs + 1, nowMs).at(-1)
  const prev = dayBars(ticker, todayStart - 10 * DAY_MS, todayStart, nowMs).at(-1)
  const lastMinute = minuteBars(ticker, Math.max(todayStart, nowMs - 60 * MINUTE_MS), nowMs + 1, nowMs).at(-1)
  const prevDay =
    prev && prev.c === snap.prevClose
      ? { o: prev.o, h: prev.h, l: prev.l, c: prev.c, v: prev.v, vw: prev.vw }
      : { o: snap.prevClose, h: snap.prevClose, l: snap.prevClose, c: snap.prevClose, v: 0, vw: snap.prevClose }
  const object: Record<string, unknown> = {
    ticker,
    todaysChange: snap.change,
    todaysChangePerc: snap.changePct,
    updated: stamp(snap.updatedAt),
    day: snap.day ? { ...snap.day, vw: today?.vw ?? snap.day.c } : { o: 0, h: 0, l: 0, c: 0, v: 0, vw: 0 },
    prevDay,
    lastTrade: { c: null, i: String(trade?.q ?? 0), p: snap.last, s: trade?.s ?? 100, t: stamp(snap.updatedAt), x: 4 },
  }
  if (lastMinute) {
    object.min = { av: snap.day?.v ?? lastMinute.v, ...lastMinute }
  }
  // The simulated NBBO in force now (quote-model.ts), as a plan with quotes has it.
  const quote = nbboAt(ticker, nowMs, snap.updatedAt, (m) => tradesBetween(ticker, m, m + MINUTE_MS))
  if (quote) object.lastQuote = { P: quote.ask, S: quote.askSize, p: quote.bid, s: quote.bidSize, t: stamp(quote.t) }
  return object
}
