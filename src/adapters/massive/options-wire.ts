/** Massive options wire format: reference contract pages and option snapshots (massive-api.md 4.2–4.4) mapped to OptionSnapshot. */

import { UpstreamError } from '../../errors'
import type { OptionSnapshot } from '../../ports/upstream-options'
import { toUnixMs } from './wire'

type Json = Record<string, unknown>

export interface Page<T> {
  items: T[]
  nextUrl: string | null
}

/** `/v3/reference/options/contracts`: the expiration date of each contract on the page. */
export function parseContractDates(body: unknown): Page<string> {
  const { results, nextUrl } = listPage(body, 'options contracts')
  const items: string[] = []
  for (const item of results) {
    if (!isObject(item) || typeof item.expiration_date !== 'string')
      throw badShape('options contracts', 'a contract has no `expiration_date`')
    items.push(item.expiration_date)
  }
  return { items, nextUrl }
}

/** `/v3/snapshot/options/{underlying}`: one page of snapshots; contracts that are neither call nor put are skipped. */
export function parseOptionChainPage(body: unknown, underlying: string): Page<OptionSnapshot> {
  const { results, nextUrl } = listPage(body, 'option chain')
  const items: OptionSnapshot[] = []
  for (const item of results) {
    const snap = mapOptionSnapshot(item, underlying, 'option chain')
    if (snap) items.push(snap)
  }
  return { items, nextUrl }
}

/** `/v3/snapshot/options/{underlying}/{contract}`: the one snapshot under `results`. */
export function parseOptionContract(body: unknown, underlying: string): OptionSnapshot | null {
  const page = envelope(body, 'option contract')
  return mapOptionSnapshot(page.results, underlying, 'option contract')
}

/** `/v3/reference/options/contracts/{ticker}`: the contract's underlying ticker. */
export function parseContractUnderlying(body: unknown): string | null {
  const page = envelope(body, 'options contract')
  const found = isObject(page.results) ? page.results.underlying_ticker : undefined
  return typeof found === 'string' && found !== '' ? found : null
}

/**
 * One snapshot object in our terms. `details` is required; every other part is optional on the
 * wire (plan, deep in-the-money greeks) and becomes null when absent or incomplete. Timestamps are
 * ns on the wire.
 */
export function mapOptionSnapshot(item: unknown, underlying: string, what: string): OptionSnapshot | null {
  if (!isObject(item) || !isObject(item.details)) throw badShape(what, 'a snapshot has no `details`')
  const d = item.details
  const strike = finite(d.strike_price)
  if (typeof d.ticker !== 'string' || typeof d.expiration_date !== 'string' || strike === undefined)
    throw badShape(what, '`details` lacks ticker, expiration_date or strike_price')
  if (d.contract_type !== 'call' && d.contract_type !== 'put') return null
  const style = d.exercise_style === 'european' || d.exercise_style === 'bermudan' ? d.exercise_style : 'american'
  const asset = isObject(item.underlying_asset) ? item.underlying_asset : {}
  const assetPrice = finite(asset.price) ?? finite(asset.value)
  return {
    contract: {
      ticker: d.ticker,
      underlying: typeof asset.ticker === 'string' ? asset.ticker : underlying,
      type: d.contract_type,
      style,
      expiration: d.expiration_date,
      strike,
      sharesPerContract: finite(d.shares_per_contract) ?? 100,
    },
    quote: mapQuote(item.last_quote),
    lastTrade: mapTrade(item.last_trade),
    day: mapDay(item.day),
    greeks: mapGreeks(item.greeks),
    iv: finite(item.implied_volatility) ?? null,
    openInterest: finite(item.open_interest) ?? null,
    breakEven: finite(item.break_even_price) ?? null,
    underlying:
      assetPrice === undefined
        ? null
        : {
            ticker: typeof asset.ticker === 'string' ? asset.ticker : underlying,
            price: assetPrice,
            updatedAt: stamp(asset.last_updated),
          },
  }
}

function mapQuote(q: unknown): OptionSnapshot['quote'] {
  if (!isObject(q)) return null
  const bid = finite(q.bid)
  const ask = finite(q.ask)
  if (bid === undefined || ask === undefined) return null
  return {
    bid,
    ask,
    mid: finite(q.midpoint) ?? (bid + ask) / 2,
    bidSize: finite(q.bid_size) ?? 0,
    askSize: finite(q.ask_size) ?? 0,
    updatedAt: stamp(q.last_updated),
  }
}

function mapTrade(t: unknown): OptionSnapshot['lastTrade'] {
  const price = isObject(t) ? finite(t.price) : undefined
  if (!isObject(t) || price === undefined) return null
  return { price, size: finite(t.size) ?? 0, at: stamp(t.sip_timestamp) }
}

/** The session's stats; an empty `day` (no trades yet) is null. */
function mapDay(day: unknown): OptionSnapshot['day'] {
  if (!isObject(day)) return null
  const [open, high, low, close, volume] = [day.open, day.high, day.low, day.close, day.volume].map(finite)
  if (open === undefined || high === undefined || low === undefined || close === undefined || volume === undefined)
    return null
  const prevClose = finite(day.previous_close) ?? close - (finite(day.change) ?? 0)
  const change = finite(day.change) ?? close - prevClose
  const changePct = finite(day.change_percent) ?? (prevClose === 0 ? 0 : (change / prevClose) * 100)
  return {
    open,
    high,
    low,
    close,
    volume,
    vwap: finite(day.vwap) ?? close,
    prevClose,
    change,
    changePct,
    updatedAt: stamp(day.last_updated),
  }
}

function mapGreeks(g: unknown): OptionSnapshot['greeks'] {
  if (!isObject(g)) return null
  const [delta, gamma, theta, vega] = [g.delta, g.gamma, g.theta, g.vega].map(finite)
  if (delta === undefined || gamma === undefined || theta === undefined || vega === undefined) return null
  return { delta, gamma, theta, vega }
}

function listPage(body: unknown, what: string): { results: unknown[]; nextUrl: string | null } {
  const page = envelope(body, what)
  const results = page.results ?? []
  if (!Array.isArray(results)) throw badShape(what, '`results` is not an array')
  const next = page.next_url
  if (next !== undefined && next !== null && typeof next !== 'string')
    throw badShape(what, '`next_url` is not a string')
  return { results, nextUrl: next ? next : null }
}

/** The common envelope: an object whose `status` is not an error. */
function envelope(body: unknown, what: string): Json {
  if (!isObject(body)) throw badShape(what, 'body is not a JSON object')
  if (body.status === 'ERROR' || body.status === 'NOT_AUTHORIZED') {
    const text = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : ''
    const code = body.status === 'NOT_AUTHORIZED' ? 'UPSTREAM_NOT_AUTHORIZED' : 'UPSTREAM_ERROR'
    throw new UpstreamError(
      code,
      `Massive ${what} answered status ${body.status}${text ? `: ${text.slice(0, 300)}` : ''}`,
    )
  }
  return body
}

function stamp(value: unknown): number {
  const n = finite(value)
  return n === undefined || n <= 0 ? 0 : toUnixMs(n)
}

function badShape(what: string, detail: string): UpstreamError {
  return new UpstreamError('UPSTREAM_BAD_RESPONSE', `Massive ${what} response has an unexpected shape: ${detail}`)
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}
