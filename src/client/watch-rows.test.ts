/** Watchlist rows: volume and day range from REST snapshots and stream snapshots' day, moved by streamed trades, and bid/ask from snapshots and quotes. */
import { describe, expect, it } from 'bun:test'
import { emptyRow, rowFromRest, rowFromStream } from './watch-rows'
import type { MarketMessage, RestSnapshot } from './wire'

const T = Date.UTC(2026, 10, 18, 15, 30)
const base = { symbol: 'AAPL', seq: 1, epoch: 'e', event_ts: T, ts: T, source: 'simulated' } as const
const rest = (over: Partial<RestSnapshot> = {}): RestSnapshot => ({
  ticker: 'AAPL',
  last: 200,
  change: 2,
  change_pct: 1,
  prev_close: 198,
  bid: 199.98,
  ask: 200.02,
  bid_size: 3,
  ask_size: 4,
  updated_at: new Date(T).toISOString(),
  source: 'REST',
  session: 'open',
  day: { open: 198, high: 201, low: 197, volume: 1_000_000, vwap: 199.5 },
  ...over,
})

describe('watchlist rows', () => {
  it('should take volume, range and bid/ask from REST, and move them with trades and quotes', () => {
    const row = rowFromRest(emptyRow('AAPL'), rest())!
    expect(row).toMatchObject({ volume: 1_000_000, high: 201, low: 197, bid: 199.98, ask: 200.02 })
    const trade: MarketMessage = { ...base, type: 'trade', data: { p: 202.5, s: 100, t: T + 1000, count: 3, volume: 300 } }
    const traded = rowFromStream(row, trade)!
    expect(traded).toMatchObject({ last: 202.5, volume: 1_000_300, high: 202.5, low: 197 })
    const quote = { ...base, type: 'quote', data: { bid: 202.4, ask: 202.6, bid_size: 1, ask_size: 2, bid_exchange: null, ask_exchange: null } } as unknown as MarketMessage
    expect(rowFromStream(traded, quote)).toMatchObject({ bid: 202.4, ask: 202.6, volume: 1_000_300 })
  })

  it("should take volume and range from a stream snapshot's day, over what trades added", () => {
    const traded = rowFromStream(rowFromRest(emptyRow('AAPL'), rest())!, { ...base, type: 'trade', data: { p: 202.5, s: 100, t: T + 1000, count: 3, volume: 300 } })!
    const day = { open: 198, high: 202.6, low: 196.5, volume: 1_000_450, vwap: 199.7 }
    const snapshot = {
      ...base,
      seq: 2,
      type: 'snapshot',
      data: { last: 202.6, change: 4.6, change_pct: 2.323, prev_close: 198, updated_at: T + 1500, bid: null, ask: null, bid_size: null, ask_size: null, day },
    } as unknown as MarketMessage
    expect(rowFromStream(traded, snapshot)).toMatchObject({ source: 'WS', last: 202.6, volume: 1_000_450, high: 202.6, low: 196.5 })
    // From the stream alone (no REST day first), the snapshot's day is what the row shows.
    expect(rowFromStream(emptyRow('AAPL'), snapshot)).toMatchObject({ volume: 1_000_450, high: 202.6, low: 196.5 })
  })

  it('should keep what it knows when an answer lacks it', () => {
    const row = rowFromRest(emptyRow('AAPL'), rest())!
    const bare = rowFromRest(row, rest({ day: undefined, bid: null, ask: null, updated_at: new Date(T + 5000).toISOString() }))!
    expect(bare).toMatchObject({ volume: 1_000_000, high: 201, bid: 199.98 })
    // Without a REST day to start from, trades do not invent a volume.
    const trade: MarketMessage = { ...base, type: 'trade', data: { p: 1, s: 1, t: T, count: 1, volume: 1 } }
    expect(rowFromStream(emptyRow('AAPL'), trade)).toMatchObject({ volume: null, high: null, low: null })
  })
})
