/** Massive (ex-Polygon.io) REST adapter of the UpstreamRest port: base bars, batch snapshots, ticker lookup. */

import { BoundedCache } from '../../core/bounded-cache.ts'
import { tickerSearchBounds } from '../../core/ticker-search.ts'
import { UpstreamError } from '../../errors.ts'
import type { RequestPriority, TickerDirectory, TickerMatch, UpstreamRest, UpstreamStatus } from '../../ports/upstream.ts'
import type { Bar, BaseTimespan, UpstreamSnapshot } from '../../core/market-types.ts'
import { MassiveHttpClient, type MassiveHttpOptions } from './http-client.ts'
import { parseAggsPage, parseSnapshotList, parseTickerDetails, parseTickerSearch } from './wire.ts'

/** Either the transport settings, or a transport to share with other Massive adapters (one budget per account). */
export type MassiveRestOptions = (MassiveHttpOptions | { http: MassiveHttpClient }) & MassiveRestTuning

export interface MassiveRestTuning {
  /** Base bars per aggregates page (the provider's `limit`, at most 50 000). @default 50_000 */
  aggsPageLimit?: number
  /** Tickers per snapshot call; the provider's maximum is unconfirmed. @default 250 */
  snapshotBatchSize?: number
  /** Most next_url pages followed by one fetchBars, against a provider that never stops paging. @default 1_000 */
  maxPages?: number
  /** Ticker lookups remembered in memory (least recently used forgotten first). @default 10_000 */
  tickerCacheSize?: number
  /** How long a remembered lookup is trusted (a ticker can be listed or delisted). @default 24 h */
  tickerCacheTtlMs?: number
}

const SNAPSHOTS_PATH = '/v2/snapshot/locale/us/markets/stocks/tickers'

/**
 * Talks to Massive over fetch; the API key stays in the Authorization header and never enters a
 * URL. Every HTTP call (retries and next_url pages included) spends the request budget.
 */
export class MassiveRest implements UpstreamRest, TickerDirectory {
  readonly name = 'massive' as const
  private readonly http: MassiveHttpClient
  private readonly pageLimit: number
  private readonly batchSize: number
  private readonly maxPages: number
  private readonly knownTickers: BoundedCache<string, boolean>
  private readonly pendingLookups = new Map<string, Promise<boolean>>()
  /** Ranked search answers by text (the widest page the API allows), so typing costs the budget once per text per 10 min. */
  private readonly searches: BoundedCache<string, Promise<TickerMatch[]>>

  constructor(opts: MassiveRestOptions) {
    this.http = 'http' in opts ? opts.http : new MassiveHttpClient(opts)
    this.pageLimit = positiveInt('aggsPageLimit', opts.aggsPageLimit ?? 50_000, 50_000)
    this.batchSize = positiveInt('snapshotBatchSize', opts.snapshotBatchSize ?? 250, Infinity)
    this.maxPages = positiveInt('maxPages', opts.maxPages ?? 1_000, Infinity)
    const clock = this.http.clock
    this.knownTickers = new BoundedCache({
      maxEntries: positiveInt('tickerCacheSize', opts.tickerCacheSize ?? 10_000, Infinity),
      ttlMs: positiveInt('tickerCacheTtlMs', opts.tickerCacheTtlMs ?? 24 * 3_600_000, Infinity),
      now: () => clock.now(),
    })
    this.searches = new BoundedCache({ maxEntries: 2_000, ttlMs: 10 * 60_000, now: () => clock.now() })
  }

  /**
   * Base bars with fromMs <= t < toMs, ascending, one per t. The provider's `to` takes in the whole
   * bucket that contains it, so we ask up to toMs - 1 and filter both ends.
   */
  async fetchBars(
    ticker: string,
    timespan: BaseTimespan,
    fromMs: number,
    toMs: number,
    priority: RequestPriority = 'interactive',
  ): Promise<Bar[]> {
    const from = Math.ceil(fromMs)
    const to = Math.ceil(toMs)
    if (!(to > from)) return []
    const path = `/v2/aggs/ticker/${encodeURIComponent(ticker)}/range/1/${timespan}/${from}/${to - 1}`
    let url = this.http.urlFor(`${path}?adjusted=true&sort=asc&limit=${this.pageLimit}`)
    const byStart = new Map<number, Bar>()
    const followed = new Set<string>()
    for (;;) {
      const { body } = await this.http.getJson(url, { priority })
      const page = this.http.checked(() => parseAggsPage(body))
      for (const bar of page.bars) if (bar.t >= fromMs && bar.t < toMs) byStart.set(bar.t, bar)
      if (page.nextUrl === null) break
      if (followed.has(page.nextUrl) || followed.size + 1 >= this.maxPages) {
        throw this.badResponse(`aggregates pagination did not end (${followed.size + 1} pages)`)
      }
      followed.add(page.nextUrl)
      url = this.http.followUrl(page.nextUrl)
    }
    return [...byStart.values()].sort((a, b) => a.t - b.t)
  }

  /** Snapshots of the known tickers among `tickers`, in batches of snapshotBatchSize; unknown ones are absent. */
  async fetchSnapshots(
    tickers: string[],
    priority: RequestPriority = 'interactive',
  ): Promise<Map<string, UpstreamSnapshot>> {
    const wanted = [...new Set(tickers.filter((t) => t.length > 0))]
    const out = new Map<string, UpstreamSnapshot>()
    // An empty `tickers` parameter means "the whole market" to the provider: never send one.
    for (let i = 0; i < wanted.length; i += this.batchSize) {
      const batch = wanted.slice(i, i + this.batchSize)
      const url = this.http.urlFor(`${SNAPSHOTS_PATH}?tickers=${batch.map(encodeURIComponent).join(',')}`)
      const { body } = await this.http.getJson(url, { priority })
      const requested = new Set(batch)
      for (const snap of this.http.checked(() => parseSnapshotList(body))) {
        if (requested.has(snap.ticker)) out.set(snap.ticker, snap)
      }
    }
    return out
  }

  /** Whether Massive knows the ticker (reference endpoint: 404 = no); answers are cached in memory. */
  lookupTicker(ticker: string, priority: RequestPriority = 'interactive'): Promise<boolean> {
    const cached = this.knownTickers.get(ticker)
    if (cached !== undefined) return Promise.resolve(cached)
    const pending = this.pendingLookups.get(ticker)
    if (pending) return pending
    const lookup = this.fetchTickerKnown(ticker, priority).finally(() => this.pendingLookups.delete(ticker))
    this.pendingLookups.set(ticker, lookup)
    return lookup
  }

  /**
   * Active stock-market tickers (stocks, ETFs) matching `text` in symbol or name, one interactive
   * call; the provider sorts by ticker, so the exact symbol and symbols starting with it move first.
   */
  async searchTickers(text: string, limit: number): Promise<TickerMatch[]> {
    const key = text.trim().toUpperCase()
    let answer = this.searches.get(key)
    if (answer === undefined) {
      // Ranked from the widest page, so the exact symbol is found even when the provider sorts it past `limit`.
      answer = this.searchRanked(text, key, tickerSearchBounds.maxLimit)
      this.searches.set(key, answer)
      answer.catch(() => this.searches.delete(key))
    }
    return (await answer).slice(0, limit)
  }

  private async searchRanked(text: string, q: string, rows: number): Promise<TickerMatch[]> {
    const params = new URLSearchParams({ search: text, market: 'stocks', active: 'true', limit: String(rows) })
    const res = await this.http.getJson(this.http.urlFor(`/v3/reference/tickers?${params}`))
    const found = this.http.checked(() => parseTickerSearch(res.body))
    const rank = (m: TickerMatch) => (m.ticker === q ? 0 : m.ticker.startsWith(q) ? 1 : 2)
    return found
      .map((m, i) => ({ m, i }))
      .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
      .map(({ m }) => m)
  }

  status(): UpstreamStatus {
    return { name: this.name, ...this.http.status() }
  }

  private async fetchTickerKnown(ticker: string, priority: RequestPriority): Promise<boolean> {
    const url = this.http.urlFor(`/v3/reference/tickers/${encodeURIComponent(ticker)}`)
    const res = await this.http.getJson(url, { allowNotFound: true, priority })
    const known = res.status === 404 ? false : this.http.checked(() => parseTickerDetails(res.body))
    this.knownTickers.set(ticker, known)
    return known
  }

  private badResponse(message: string): UpstreamError {
    const error = new UpstreamError('UPSTREAM_BAD_RESPONSE', `Massive ${message}`)
    this.http.noteBadResponse(error)
    return error
  }
}

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`MassiveRest: ${name} must be an integer in 1..${max}, got ${value}`)
  }
  return value
}
