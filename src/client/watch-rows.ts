/** Pure watchlist-row rules: a row takes REST or stream values only when they are at least as new as what it shows. */
import type { MarketMessage, RestSnapshot } from './wire'

/** One watchlist row. `source` says how the client got the values: the stream or a REST fetch. */
export interface SnapshotRow {
  ticker: string
  last: number | null
  change: number | null
  change_pct: number | null
  prev_close: number | null
  /** Unix ms of the last trade the row reflects. */
  updatedAt: number | null
  source: 'WS' | 'REST' | null
  /** Today's volume and range: from a REST snapshot that has them, then moved by streamed trades. */
  volume: number | null
  high: number | null
  low: number | null
  /** Best bid and offer, when the feed has quotes. */
  bid: number | null
  ask: number | null
}

export const emptyRow = (ticker: string): SnapshotRow => ({
  ticker,
  last: null,
  change: null,
  change_pct: null,
  prev_close: null,
  updatedAt: null,
  source: null,
  volume: null,
  high: null,
  low: null,
  bid: null,
  ask: null,
})

const isOlder = (row: SnapshotRow, t: number) => row.updatedAt !== null && t < row.updatedAt

/** The row after a REST snapshot, or null when the row already shows something newer. */
export function rowFromRest(row: SnapshotRow, r: RestSnapshot): SnapshotRow | null {
  const updatedAt = Date.parse(r.updated_at)
  if (!Number.isFinite(updatedAt) || isOlder(row, updatedAt)) return null
  return {
    ticker: row.ticker,
    last: r.last,
    change: r.change,
    change_pct: r.change_pct,
    prev_close: r.prev_close,
    updatedAt,
    source: 'REST',
    volume: r.day?.volume ?? row.volume,
    high: r.day?.high ?? row.high,
    low: r.day?.low ?? row.low,
    bid: r.bid ?? row.bid,
    ask: r.ask ?? row.ask,
  }
}

/**
 * The row after a stream `snapshot` or `trade`, or null when it is older than the row. A trade
 * moves `last` and recomputes the change with the server's rounding (2 and 3 decimals).
 */
export function rowFromStream(row: SnapshotRow, m: MarketMessage): SnapshotRow | null {
  if (m.type === 'snapshot') {
    const d = m.data
    if (isOlder(row, d.updated_at)) return null
    const { last, change, change_pct, prev_close } = d
    const quote = { bid: d.bid ?? row.bid, ask: d.ask ?? row.ask }
    // The server's day figures (by the sale-condition rules) replace what trades added since.
    const day = d.day ? { volume: d.day.volume, high: d.day.high, low: d.day.low } : {}
    return { ...row, last, change, change_pct, prev_close, updatedAt: d.updated_at, source: 'WS', ...quote, ...day }
  }
  if (m.type === 'quote') return { ...row, bid: m.data.bid, ask: m.data.ask }
  if (m.type !== 'trade' || isOlder(row, m.data.t)) return null
  const { p, t } = m.data
  const prev = row.prev_close
  const change = prev === null ? row.change : Math.round((p - prev) * 100) / 100
  const pct =
    prev === null || prev === 0 || change === null ? row.change_pct : Math.round((change / prev) * 100_000) / 1000
  const volume = row.volume === null ? null : row.volume + m.data.volume
  const high = row.high === null ? null : Math.max(row.high, p)
  const low = row.low === null ? null : Math.min(row.low, p)
  return { ...row, last: p, change, change_pct: pct, updatedAt: t, source: 'WS', volume, high, low }
}
