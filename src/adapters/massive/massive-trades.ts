/** Massive REST adapter of the TradeHistory port: `/v3/trades/{ticker}` with sale conditions and the trade correction indicator applied (market-rules.md §3.3.6). */

import type { Trade } from '../../core/market-types.ts'
import { UpstreamError } from '../../errors.ts'
import type { TradeHistory } from '../../ports/upstream-trades.ts'
import type { MassiveHttpClient } from './http-client.ts'

const MAX_PAGES = 20

/**
 * `correction` values (CTS) whose row is not a trade as it stands: 1 the original of a trade later
 * corrected (its correction record, 12, carries the values), 7 later marked erroneous, 8 later
 * cancelled, 10 a cancel record, 11 an error record. 0 / absent (regular) and 12 count.
 */
const NOT_COUNTED = new Set([1, 7, 8, 10, 11])

export class MassiveTrades implements TradeHistory {
  /** Set once the plan turned out not to include trades (403): no more calls, every answer empty. */
  private notAuthorized = false

  constructor(private readonly http: MassiveHttpClient) {}

  async tradesBetween(ticker: string, fromMs: number, toMs: number): Promise<Trade[]> {
    if (this.notAuthorized || !(toMs > fromMs)) return []
    try {
      return await this.fetch(ticker, fromMs, toMs)
    } catch (error) {
      if (error instanceof UpstreamError && error.code === 'UPSTREAM_NOT_AUTHORIZED') this.notAuthorized = true
      throw error
    }
  }

  private async fetch(ticker: string, fromMs: number, toMs: number): Promise<Trade[]> {
    const out: Trade[] = []
    const query = new URLSearchParams({
      'timestamp.gte': String(BigInt(Math.floor(fromMs)) * 1_000_000n),
      'timestamp.lt': String(BigInt(Math.ceil(toMs)) * 1_000_000n),
      order: 'asc',
      sort: 'timestamp',
      limit: '50000',
    })
    let url: URL | null = this.http.urlFor(`/v3/trades/${encodeURIComponent(ticker)}?${query}`)
    for (let page = 0; url !== null && page < MAX_PAGES; page++) {
      const { body } = await this.http.getJson(url, { priority: 'background', allowNotFound: true })
      const parsed = this.http.checked(() => parseTradesPage(ticker, body))
      out.push(...parsed.trades)
      url = parsed.nextUrl === null ? null : this.http.followUrl(parsed.nextUrl)
    }
    return out.filter((t) => t.t >= fromMs && t.t < toMs).sort((a, b) => a.t - b.t || a.q - b.q)
  }
}

/** One page of `/v3/trades`: rows that count (see NOT_COUNTED) as Trades (t from `sip_timestamp` ns, q = `sequence_number`, c = `conditions`). */
export function parseTradesPage(ticker: string, body: unknown): { trades: Trade[]; nextUrl: string | null } {
  if (!isObject(body)) throw badShape('body is not a JSON object')
  const results = body.results ?? []
  if (!Array.isArray(results)) throw badShape('`results` is not an array')
  const trades: Trade[] = []
  for (const row of results) {
    if (!isObject(row)) throw badShape('a row is not an object')
    const { price, size, sip_timestamp: ns, sequence_number: q, correction, conditions } = row
    if (typeof price !== 'number' || typeof size !== 'number' || typeof ns !== 'number' || typeof q !== 'number')
      throw badShape('a row lacks price, size, sip_timestamp or sequence_number')
    if (typeof correction === 'number' && NOT_COUNTED.has(correction)) continue
    // ns beyond 2^53 arrive rounded to 256 ns: a microsecond of slack keeps a whole millisecond whole.
    const trade: Trade = { symbol: ticker, p: price, s: size, t: Math.floor(ns / 1_000_000 + 0.001), q }
    if (Array.isArray(conditions) && conditions.length > 0 && conditions.every((c) => Number.isInteger(c))) trade.c = conditions as number[]
    trades.push(trade)
  }
  const nextUrl = typeof body.next_url === 'string' && body.next_url !== '' ? body.next_url : null
  return { trades, nextUrl }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function badShape(detail: string): UpstreamError {
  return new UpstreamError('UPSTREAM_BAD_RESPONSE', `Massive trades response has an unexpected shape: ${detail}`)
}
