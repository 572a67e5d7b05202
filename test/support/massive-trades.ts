/** `/v3/trades/{ticker}` of the fake Massive server: the simulated market's trades up to now in the provider's shape (sip_timestamp in ns, sequence_number, conditions), paged by limit and next_url. */

import { tradesBetween } from '../../src/adapters/simulated/market.ts'
import type { FakeReply } from './massive-aggs.ts'

export const TRADES_PATH = /^\/v3\/trades\/([^/]+)$/

const nsParam = (url: URL, name: string): number | null => {
  const v = url.searchParams.get(name)
  return v === null || !/^\d+$/.test(v) ? null : Number(BigInt(v) / 1_000_000n)
}

export function handleTrades(url: URL, ticker: string, nowMs: number): FakeReply {
  const from = nsParam(url, 'timestamp.gte') ?? 0
  const to = Math.min(nsParam(url, 'timestamp.lt') ?? nowMs, nowMs + 1)
  const limit = Math.min(50_000, Math.max(1, Number(url.searchParams.get('limit') ?? 1000) || 1000))
  const offset = Math.max(0, Number(url.searchParams.get('cursor') ?? 0) || 0)
  const all = tradesBetween(ticker, from, to)
  const results = all.slice(offset, offset + limit).map((t) => ({
    conditions: t.c,
    exchange: 4,
    id: String(t.q),
    price: t.p,
    sequence_number: t.q,
    sip_timestamp: t.t * 1_000_000,
    participant_timestamp: t.t * 1_000_000 - 150_000,
    size: t.s,
    tape: 3,
  }))
  const body: Record<string, unknown> = { status: 'OK', request_id: 'trades', results }
  if (offset + limit < all.length) {
    const next = new URL(url.pathname, url.origin)
    for (const [k, v] of url.searchParams) if (k !== 'cursor' && k !== 'apiKey') next.searchParams.set(k, v)
    next.searchParams.set('cursor', String(offset + limit))
    body.next_url = next.toString()
  }
  return { status: 200, body }
}
