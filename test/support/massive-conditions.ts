/** `/v3/reference/conditions` of the fake Massive server (market-rules.md §3.1): the shipped stock sale conditions in the provider's shape, with quote and indicator rows to filter out, paged by `limit` and `next_url`. */

import { stockSaleConditions } from '../../src/core/trade-conditions.ts'
import type { FakeReply } from './massive-aggs.ts'

export const CONDITIONS_PATH = '/v3/reference/conditions'

type Row = Record<string, unknown>

const rules = (hl: boolean, oc: boolean, v: boolean) => ({ updates_high_low: hl, updates_open_close: oc, updates_volume: v })

/** Every row, ordered by id then type as the provider sorts them. Ids repeat across data types (1 is also a quote condition). */
const ROWS: Row[] = [
  ...[...stockSaleConditions.values()].map((c) => ({
    id: c.id,
    type: c.id === 41 ? 'trade_thru_exempt' : 'sale_condition',
    name: c.name,
    asset_class: 'stocks',
    sip_mapping: {},
    data_types: ['trade'],
    update_rules: { consolidated: rules(c.highLow, c.openClose, c.volume), market_center: rules(c.highLow, c.openClose, c.volume) },
  })),
  { id: 1, type: 'quote_condition', name: 'Regular Two-Sided Open', asset_class: 'stocks', sip_mapping: { CTA: 'R' }, data_types: ['bbo', 'nbbo'] },
  { id: 41, type: 'quote_condition', name: 'Cash Only Settlement', asset_class: 'stocks', sip_mapping: {}, data_types: ['bbo', 'nbbo'] },
  { id: 62, type: 'financial_status_indicator', name: 'Bankrupt', asset_class: 'stocks', sip_mapping: {}, data_types: ['trade'] },
].sort((a, b) => (a.id as number) - (b.id as number))

/** The page of rows for the query: `data_type` filters, `limit` (default 10, at most 1000) pages, `cursor` is the offset. */
export function handleConditions(url: URL): FakeReply {
  const dataType = url.searchParams.get('data_type')
  const assetClass = url.searchParams.get('asset_class')
  const rows = ROWS.filter(
    (r) => (dataType === null || (r.data_types as string[]).includes(dataType)) && (assetClass === null || r.asset_class === assetClass),
  )
  const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 10) || 10))
  const offset = Math.max(0, Number(url.searchParams.get('cursor') ?? 0) || 0)
  const results = rows.slice(offset, offset + limit)
  const body: Row = { status: 'OK', request_id: 'conditions', count: results.length, results }
  if (offset + limit < rows.length) {
    const next = new URL(url.pathname, url.origin)
    for (const [k, v] of url.searchParams) if (k !== 'cursor' && k !== 'apiKey') next.searchParams.set(k, v)
    next.searchParams.set('cursor', String(offset + limit))
    body.next_url = next.toString()
  }
  return { status: 200, body }
}
