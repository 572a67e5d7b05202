/** The local Massive server's splits: `/stocks/v1/splits` (since 2026-02) and the older `/v3/reference/splits` shape, from the simulated market's schedule. */

import { simulatedSplits } from '../../src/adapters/simulated/splits.ts'
import { nyDateOf, splitRatio, type Split } from '../../src/core/splits.ts'
import type { FakeReply } from './massive-aggs.ts'

export const SPLITS_PATH = '/stocks/v1/splits'
export const LEGACY_SPLITS_PATH = '/v3/reference/splits'

export function isSplitsPath(pathname: string): boolean {
  return pathname === SPLITS_PATH || pathname === LEGACY_SPLITS_PATH
}

/**
 * Filters `ticker`, `execution_date` (and its .gte/.gt/.lte/.lt forms), `limit` (≤ 1000) with
 * next_url pages, ascending by execution date (`sort=execution_date.desc` reverses on the new
 * endpoint, `order=desc` on the old). `legacyOnly`: the new path answers 404, as before 2026-02.
 */
export function handleSplits(url: URL, nowMs: number, legacyOnly: boolean, schedule: readonly Split[] = simulatedSplits): FakeReply {
  const legacy = url.pathname === LEGACY_SPLITS_PATH
  if (!legacy && legacyOnly) return { status: 404, body: { status: 'NOT_FOUND', message: 'The specified resource was not found' } }
  const q = url.searchParams
  const date = (name: string) => q.get(`execution_date${name}`)
  const keep = (s: Split) =>
    (q.get('ticker') === null || s.ticker === q.get('ticker')) &&
    (date('') === null || s.executionDate === date('')) &&
    (date('.gte') === null || s.executionDate >= date('.gte')!) &&
    (date('.gt') === null || s.executionDate > date('.gt')!) &&
    (date('.lte') === null || s.executionDate <= date('.lte')!) &&
    (date('.lt') === null || s.executionDate < date('.lt')!)
  const desc = legacy ? q.get('order') === 'desc' : q.get('sort') === 'execution_date.desc'
  const all = schedule.filter(keep).sort((a, b) => (a.executionDate < b.executionDate ? -1 : 1) * (desc ? -1 : 1))
  const limit = Math.min(1000, Math.max(1, Number(q.get('limit') ?? 10) || 10))
  const offset = Math.max(0, Number(q.get('cursor') ?? 0) || 0)
  const page = all.slice(offset, offset + limit)
  const today = nyDateOf(nowMs)
  const results = page.map((s) =>
    legacy
      ? { id: idOf(s), ticker: s.ticker, execution_date: s.executionDate, split_from: s.splitFrom, split_to: s.splitTo }
      : {
          id: idOf(s),
          ticker: s.ticker,
          execution_date: s.executionDate,
          split_from: s.splitFrom,
          split_to: s.splitTo,
          adjustment_type: s.splitTo > s.splitFrom ? 'forward_split' : 'reverse_split',
          // Cumulative to today: this split and every later one already executed.
          historical_adjustment_factor: schedule
            .filter((o) => o.ticker === s.ticker && o.executionDate >= s.executionDate && o.executionDate <= today)
            .reduce((f, o) => f / splitRatio(o), 1),
        },
  )
  const body: Record<string, unknown> = { status: 'OK', results }
  if (offset + limit < all.length) {
    const next = new URL(url)
    next.searchParams.set('cursor', String(offset + limit))
    body.next_url = next.toString()
  }
  return { status: 200, body }
}

function idOf(s: Split): string {
  return `E${Bun.hash(`${s.ticker}|${s.executionDate}`).toString(16)}`
}
