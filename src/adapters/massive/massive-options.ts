/** Massive REST adapter of the UpstreamOptions port: expirations from reference contracts, chains and contracts from option snapshots. */

import { matchesFilter, type ChainFilter } from '../../core/options/chain-query'
import { dateOfDay } from '../../core/options/expirations'
import { optionTickerProblem, parseOptionTicker } from '../../core/options/option-ticker'
import { nyDayIndex } from '../../core/market-time'
import { UpstreamError } from '../../errors'
import type { Clock } from '../../ports/clock'
import type { OptionSnapshot, UpstreamOptions } from '../../ports/upstream-options'
import type { MassiveHttpClient } from './http-client'
import {
  parseContractDates,
  parseContractUnderlying,
  parseOptionChainPage,
  parseOptionContract,
  type Page,
} from './options-wire'

export interface MassiveOptionsOptions {
  /** The transport shared with MassiveRest: one request budget and one health for the account. */
  http: MassiveHttpClient
  clock: Clock
  /** Snapshots per chain page (the provider's maximum is 250). @default 250 */
  chainPageLimit?: number
  /** Contracts per reference page (the provider's maximum is 1000). @default 1000 */
  contractsPageLimit?: number
  /** Most pages one call follows, against a provider that never stops paging. @default 100 */
  maxPages?: number
}

/** Every call spends the shared budget as `options`: it stops short of the share reserved for interactive bars and snapshots. */
export class MassiveOptions implements UpstreamOptions {
  readonly name = 'massive' as const
  private readonly http: MassiveHttpClient

  constructor(private readonly opts: MassiveOptionsOptions) {
    this.http = opts.http
  }

  /** Distinct expiration dates of the underlying's contracts from today (New York) on, ascending. */
  async expirations(underlying: string): Promise<string[]> {
    const today = dateOfDay(nyDayIndex(this.opts.clock.now()))
    const query = `underlying_ticker=${encodeURIComponent(underlying)}&expiration_date.gte=${today}&limit=${this.opts.contractsPageLimit ?? 1000}`
    const dates = await this.collect(`/v3/reference/options/contracts?${query}`, parseContractDates)
    return [...new Set(dates.filter((d) => d >= today))].sort()
  }

  /** One expiration's snapshots passing the filter (sent to the provider, and checked again here), by strike, call first. */
  async chain(underlying: string, expiration: string, filter: ChainFilter): Promise<OptionSnapshot[]> {
    let query = `expiration_date=${expiration}&limit=${this.opts.chainPageLimit ?? 250}`
    if (filter.contractType) query += `&contract_type=${filter.contractType}`
    if (filter.gte !== null) query += `&strike_price.gte=${filter.gte}`
    if (filter.lte !== null) query += `&strike_price.lte=${filter.lte}`
    const path = `/v3/snapshot/options/${encodeURIComponent(underlying)}?${query}`
    const all = await this.collect(path, (body) => parseOptionChainPage(body, underlying), true)
    const byTicker = new Map<string, OptionSnapshot>()
    for (const s of all)
      if (s.contract.expiration === expiration && matchesFilter(filter, s.contract.type, s.contract.strike))
        byTicker.set(s.contract.ticker, s)
    return [...byTicker.values()].sort(
      (a, b) => a.contract.strike - b.contract.strike || (a.contract.type === 'call' ? -1 : 1),
    )
  }

  /**
   * One contract's snapshot, asked under its OCC root as the underlying; when that is unknown, the
   * reference contract names the real underlying (BRKB → BRK.B) and the snapshot is asked again.
   */
  async contract(optionTicker: string): Promise<OptionSnapshot | null> {
    if (optionTickerProblem(optionTicker) !== null) return null
    const { root } = parseOptionTicker(optionTicker)
    const first = await this.snapshotUnder(root, optionTicker)
    if (first !== 'not found') return first
    const ref = await this.http.getJson(
      this.http.urlFor(`/v3/reference/options/contracts/${encodeURIComponent(optionTicker)}`),
      { allowNotFound: true, priority: 'options' },
    )
    const underlying = ref.status === 404 ? null : this.http.checked(() => parseContractUnderlying(ref.body))
    if (underlying === null || underlying === root) return null
    const second = await this.snapshotUnder(underlying, optionTicker)
    return second === 'not found' ? null : second
  }

  private async snapshotUnder(underlying: string, optionTicker: string): Promise<OptionSnapshot | null | 'not found'> {
    const path = `/v3/snapshot/options/${encodeURIComponent(underlying)}/${encodeURIComponent(optionTicker)}`
    const res = await this.http.getJson(this.http.urlFor(path), { allowNotFound: true, priority: 'options' })
    if (res.status === 404) return 'not found'
    return this.http.checked(() => parseOptionContract(res.body, underlying))
  }

  /** Every item over next_url pages; a 404 on the first page means none when allowed. */
  private async collect<T>(
    pathAndQuery: string,
    parse: (body: unknown) => Page<T>,
    allowNotFound = false,
  ): Promise<T[]> {
    let url = this.http.urlFor(pathAndQuery)
    const out: T[] = []
    const followed = new Set<string>()
    for (;;) {
      const res = await this.http.getJson(url, { allowNotFound: allowNotFound && followed.size === 0, priority: 'options' })
      if (res.status === 404) return []
      const page = this.http.checked(() => parse(res.body))
      out.push(...page.items)
      if (page.nextUrl === null) return out
      if (followed.has(page.nextUrl) || followed.size + 1 >= (this.opts.maxPages ?? 100)) {
        const error = new UpstreamError(
          'UPSTREAM_BAD_RESPONSE',
          `Massive ${url.pathname} pagination did not end (${followed.size + 1} pages)`,
        )
        this.http.noteBadResponse(error)
        throw error
      }
      followed.add(page.nextUrl)
      url = this.http.followUrl(page.nextUrl)
    }
  }
}
