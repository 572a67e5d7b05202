/** Massive REST adapter of the UpstreamConditions port: `/v3/reference/conditions` for stock trades (market-rules.md §3.1), as a background call. */

import type { SaleCondition } from '../../core/trade-conditions.ts'
import { UpstreamError } from '../../errors.ts'
import type { UpstreamConditions } from '../../ports/upstream-conditions.ts'
import type { MassiveHttpClient } from './http-client.ts'

export const CONDITIONS_PATH = '/v3/reference/conditions'
/** Stocks have about 80 trade conditions: one page, with room. */
const QUERY = '?asset_class=stocks&data_type=trade&limit=1000'
const MAX_PAGES = 10

export class MassiveConditions implements UpstreamConditions {
  constructor(private readonly http: MassiveHttpClient) {}

  async saleConditions(): Promise<SaleCondition[]> {
    const out: SaleCondition[] = []
    let url: URL | null = this.http.urlFor(CONDITIONS_PATH + QUERY)
    for (let page = 0; url !== null && page < MAX_PAGES; page++) {
      const { body } = await this.http.getJson(url, { priority: 'background' })
      const parsed = this.http.checked(() => parseConditionsPage(body))
      out.push(...parsed.conditions)
      url = parsed.nextUrl === null ? null : this.http.followUrl(parsed.nextUrl)
    }
    return out
  }
}

/**
 * One page: the rows that apply to trades (`data_types` has `trade`) and carry
 * `update_rules.consolidated` (Massive builds consolidated bars only); legacy rows are kept (old
 * trades still carry them). Rows without rules (indicators) are left out: they are neutral.
 */
export function parseConditionsPage(body: unknown): { conditions: SaleCondition[]; nextUrl: string | null } {
  if (!isObject(body) || !Array.isArray(body.results)) throw badShape('`results` is not an array')
  const conditions: SaleCondition[] = []
  for (const row of body.results) {
    if (!isObject(row) || !Number.isInteger(row.id)) throw badShape('a row has no integer `id`')
    if (Array.isArray(row.data_types) && !row.data_types.includes('trade')) continue
    if (row.asset_class !== undefined && row.asset_class !== 'stocks') continue
    const rules = isObject(row.update_rules) && isObject(row.update_rules.consolidated) ? row.update_rules.consolidated : null
    if (rules === null) continue
    const { updates_high_low: hl, updates_open_close: oc, updates_volume: v } = rules
    if (typeof hl !== 'boolean' || typeof oc !== 'boolean' || typeof v !== 'boolean') throw badShape(`condition ${row.id} has non-boolean update rules`)
    conditions.push({ id: row.id as number, name: typeof row.name === 'string' ? row.name : `condition ${row.id}`, highLow: hl, openClose: oc, volume: v })
  }
  const nextUrl = typeof body.next_url === 'string' && body.next_url !== '' ? body.next_url : null
  return { conditions, nextUrl }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function badShape(detail: string): UpstreamError {
  return new UpstreamError('UPSTREAM_BAD_RESPONSE', `Massive conditions response has an unexpected shape: ${detail}`)
}
