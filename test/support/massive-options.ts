/** The local Massive fake's options endpoints (massive-api.md 4.2–4.4), generated from the simulated options model in the provider's wire format. */

import {
  simulatedChain,
  simulatedContract,
  simulatedContracts,
  simulatedExpirations,
} from '../../src/adapters/simulated/options.ts'
import type { OptionContract, OptionSnapshot } from '../../src/ports/upstream-options.ts'
import type { FakeReply } from './massive-aggs.ts'

export const OPTION_CONTRACTS_PATH = '/v3/reference/options/contracts'
export const OPTION_CONTRACT_PATH = /^\/v3\/reference\/options\/contracts\/([^/]+)$/
export const OPTION_CHAIN_PATH = /^\/v3\/snapshot\/options\/([^/]+)$/
export const OPTION_SNAPSHOT_PATH = /^\/v3\/snapshot\/options\/([^/]+)\/([^/]+)$/

export function isOptionsPath(pathname: string): boolean {
  return (
    pathname === OPTION_CONTRACTS_PATH ||
    OPTION_CONTRACT_PATH.test(pathname) ||
    OPTION_CHAIN_PATH.test(pathname) ||
    OPTION_SNAPSHOT_PATH.test(pathname)
  )
}

const NOT_FOUND: FakeReply = {
  status: 404,
  body: { status: 'NOT_FOUND', message: 'The specified resource was not found' },
}

/** Routes an options request; null when the path is not an options path. */
export function handleOptions(url: URL, nowMs: number): FakeReply | null {
  const p = url.pathname
  if (p === OPTION_CONTRACTS_PATH) return listContracts(url, nowMs)
  const ref = p.match(OPTION_CONTRACT_PATH)
  if (ref) {
    const snap = simulatedContract(decodeURIComponent(ref[1]!), nowMs)
    return snap ? { status: 200, body: { status: 'OK', results: contractObject(snap.contract) } } : NOT_FOUND
  }
  const one = p.match(OPTION_SNAPSHOT_PATH)
  if (one) {
    const snap = simulatedContract(decodeURIComponent(one[2]!), nowMs)
    if (!snap || snap.contract.underlying !== decodeURIComponent(one[1]!)) return NOT_FOUND
    return { status: 200, body: { status: 'OK', results: snapshotObject(snap) } }
  }
  const chain = p.match(OPTION_CHAIN_PATH)
  if (chain) return chainSnapshot(url, decodeURIComponent(chain[1]!), nowMs)
  return null
}

/** GET /v3/reference/options/contracts: needs underlying_ticker here (the provider would list every contract). */
function listContracts(url: URL, nowMs: number): FakeReply {
  const q = effectiveQuery(url)
  const underlying = q.get('underlying_ticker')
  if (!underlying) return { status: 400, body: { status: 'ERROR', error: 'the local fake needs underlying_ticker' } }
  const rows = simulatedContracts(underlying, nowMs).filter((c) => passes(q, c))
  return page(url, q, rows.map(contractObject), 1000)
}

/** GET /v3/snapshot/options/{underlying}: every listed expiration that passes the filters, priced as of now. */
function chainSnapshot(url: URL, underlying: string, nowMs: number): FakeReply {
  const q = effectiveQuery(url)
  const all = { contractType: null, gte: null, lte: null }
  const rows = simulatedExpirations(underlying, nowMs)
    .flatMap((expiration) => simulatedChain(underlying, expiration, nowMs, all))
    .filter((s) => passes(q, s.contract))
  return page(url, q, rows.map(snapshotObject), 250)
}

/** contract_type, expiration_date and strike_price with the provider's .gt/.gte/.lt/.lte forms. */
function passes(q: URLSearchParams, c: OptionContract): boolean {
  const type = q.get('contract_type')
  if (type && type !== c.type) return false
  return range(q, 'expiration_date', c.expiration, (v) => v) && range(q, 'strike_price', c.strike, Number)
}

function range<T>(q: URLSearchParams, name: string, value: T, read: (v: string) => T): boolean {
  const ops: [string, (a: T, b: T) => boolean][] = [
    ['', (a, b) => a === b],
    ['.gt', (a, b) => a > b],
    ['.gte', (a, b) => a >= b],
    ['.lt', (a, b) => a < b],
    ['.lte', (a, b) => a <= b],
  ]
  return ops.every(([suffix, test]) => {
    const raw = q.get(name + suffix)
    return raw === null || test(value, read(raw))
  })
}

/**
 * Sorting (`sort`, `order`), `limit` (capped at max) and paging: next_url carries only an opaque
 * cursor (base64 of the remaining query and offset), never the key.
 */
function page(url: URL, q: URLSearchParams, rows: Record<string, unknown>[], max: number): FakeReply {
  const sort = q.get('sort') ?? 'ticker'
  const key = (r: any) => (sort === 'ticker' ? (r.ticker ?? r.details?.ticker) : (r[sort] ?? r.details?.[sort]))
  const dir = q.get('order') === 'desc' ? -1 : 1
  rows.sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : 0))
  const limit = Math.min(max, Math.max(1, Number.parseInt(q.get('limit') ?? '', 10) || 10))
  const offset = Number(q.get('offset') ?? 0)
  const body: Record<string, unknown> = { status: 'OK', results: rows.slice(offset, offset + limit) }
  if (offset + limit < rows.length) {
    const next = new URLSearchParams(q)
    next.set('offset', String(offset + limit))
    body.next_url = `${url.origin}${url.pathname}?cursor=${Buffer.from(next.toString()).toString('base64url')}`
  }
  return { status: 200, body }
}

/** The request's query, or the one its cursor carries. */
function effectiveQuery(url: URL): URLSearchParams {
  const cursor = url.searchParams.get('cursor')
  if (cursor) return new URLSearchParams(Buffer.from(cursor, 'base64url').toString())
  const q = new URLSearchParams(url.search)
  q.delete('apiKey')
  return q
}

function contractObject(c: OptionContract): Record<string, unknown> {
  return {
    cfi: c.type === 'call' ? 'OCASPS' : 'OPASPS',
    contract_type: c.type,
    exercise_style: c.style,
    expiration_date: c.expiration,
    primary_exchange: 'BATO',
    shares_per_contract: c.sharesPerContract,
    strike_price: c.strike,
    ticker: c.ticker,
    underlying_ticker: c.underlying,
  }
}

const ns = (ms: number) => ms * 1_000_000

/** One snapshot object as the provider sends it: ns timestamps, optional parts omitted when null. */
export function snapshotObject(s: OptionSnapshot): Record<string, unknown> {
  const c = s.contract
  const o: Record<string, unknown> = {
    details: {
      contract_type: c.type,
      exercise_style: c.style,
      expiration_date: c.expiration,
      shares_per_contract: c.sharesPerContract,
      strike_price: c.strike,
      ticker: c.ticker,
    },
    day: s.day
      ? {
          change: s.day.change,
          change_percent: s.day.changePct,
          close: s.day.close,
          high: s.day.high,
          last_updated: ns(s.day.updatedAt),
          low: s.day.low,
          open: s.day.open,
          previous_close: s.day.prevClose,
          volume: s.day.volume,
          vwap: s.day.vwap,
        }
      : {},
  }
  if (s.breakEven !== null) o.break_even_price = s.breakEven
  if (s.greeks) o.greeks = { ...s.greeks }
  if (s.iv !== null) o.implied_volatility = s.iv
  if (s.openInterest !== null) o.open_interest = s.openInterest
  if (s.quote) {
    const q = s.quote
    o.last_quote = {
      ask: q.ask,
      ask_size: q.askSize,
      bid: q.bid,
      bid_size: q.bidSize,
      last_updated: ns(q.updatedAt),
      midpoint: q.mid,
      timeframe: 'REAL-TIME',
    }
  }
  if (s.lastTrade)
    o.last_trade = {
      price: s.lastTrade.price,
      size: s.lastTrade.size,
      sip_timestamp: ns(s.lastTrade.at),
      exchange: 309,
      conditions: [209],
      timeframe: 'REAL-TIME',
    }
  if (s.underlying)
    o.underlying_asset = {
      ticker: s.underlying.ticker,
      price: s.underlying.price,
      change_to_break_even: s.breakEven === null ? undefined : s.breakEven - s.underlying.price,
      last_updated: ns(s.underlying.updatedAt),
      timeframe: 'REAL-TIME',
    }
  return o
}
