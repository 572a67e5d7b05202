/** Massive REST adapter of the UpstreamSplits port: `/stocks/v1/splits` (since 2026-02), falling back to the older `/v3/reference/splits` where the new one is not served. */

import { isSplitDate, type Split } from '../../core/splits'
import { UpstreamError } from '../../errors'
import type { RequestPriority } from '../../ports/upstream'
import type { UpstreamSplits } from '../../ports/upstream-splits'
import type { MassiveHttpClient } from './http-client'

export const SPLITS_PATH = '/stocks/v1/splits'
export const LEGACY_SPLITS_PATH = '/v3/reference/splits'

/** Most next_url pages one fetchSplits follows (1,000 splits a page). */
const maxPages = 50

/** Background calls by default: they never take the interactive reserve of the shared budget. */
export class MassiveSplits implements UpstreamSplits {
  /** Set once the new endpoint answered 404 (a proxy or a plan without it): the older one is asked from then on. */
  private legacy = false

  constructor(private readonly http: MassiveHttpClient) {}

  async fetchSplits(fromDate: string, toDate: string, priority: RequestPriority = 'background'): Promise<Split[]> {
    if (!isSplitDate(fromDate) || !isSplitDate(toDate)) throw new RangeError(`splits range must be YYYY-MM-DD dates`)
    const range = `execution_date.gte=${fromDate}&execution_date.lte=${toDate}&limit=1000`
    let url = this.legacy
      ? this.http.urlFor(`${LEGACY_SPLITS_PATH}?${range}&sort=execution_date&order=asc`)
      : this.http.urlFor(`${SPLITS_PATH}?${range}&sort=execution_date.asc`)
    const out = new Map<string, Split>()
    for (let page = 0; ; page++) {
      const res = await this.http.getJson(url, { allowNotFound: !this.legacy && page === 0, priority })
      if (res.status === 404) {
        this.legacy = true
        return this.fetchSplits(fromDate, toDate, priority)
      }
      const parsed = this.http.checked(() => parseSplitsPage(res.body))
      for (const s of parsed.splits)
        if (s.executionDate >= fromDate && s.executionDate <= toDate) out.set(`${s.ticker}|${s.executionDate}`, s)
      if (parsed.nextUrl === null) break
      if (page + 1 >= maxPages) throw badShape(`pagination did not end after ${maxPages} pages`)
      url = this.http.followUrl(parsed.nextUrl)
    }
    return [...out.values()].sort((a, b) => (a.executionDate < b.executionDate ? -1 : a.executionDate > b.executionDate ? 1 : 0))
  }
}

/**
 * One page of either endpoint: `results[]` with `ticker`, `execution_date`, `split_from`, `split_to`
 * (both shapes carry them; the new one adds `adjustment_type` and `historical_adjustment_factor`,
 * not needed here). A missing `results` is no splits; an item without usable fields is skipped.
 */
export function parseSplitsPage(body: unknown): { splits: Split[]; nextUrl: string | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badShape('body is not a JSON object')
  const page = body as Record<string, unknown>
  if (page.status === 'ERROR' || page.status === 'NOT_AUTHORIZED')
    throw new UpstreamError(
      page.status === 'NOT_AUTHORIZED' ? 'UPSTREAM_NOT_AUTHORIZED' : 'UPSTREAM_ERROR',
      `Massive splits answered status ${page.status}`,
    )
  const results = page.results ?? []
  if (!Array.isArray(results)) throw badShape('`results` is not an array')
  const splits: Split[] = []
  for (const item of results) {
    if (typeof item !== 'object' || item === null) continue
    const { ticker, execution_date: date, split_from: from, split_to: to } = item as Record<string, unknown>
    if (typeof ticker !== 'string' || ticker === '' || typeof date !== 'string' || !isSplitDate(date)) continue
    if (typeof from !== 'number' || typeof to !== 'number' || !(from > 0) || !(to > 0) || !Number.isFinite(from + to)) continue
    if (from === to) continue
    splits.push({ ticker, executionDate: date, splitFrom: from, splitTo: to })
  }
  const next = page.next_url
  return { splits, nextUrl: typeof next === 'string' && next !== '' ? next : null }
}

function badShape(detail: string): UpstreamError {
  return new UpstreamError('UPSTREAM_BAD_RESPONSE', `Massive splits response has an unexpected shape: ${detail}`)
}
