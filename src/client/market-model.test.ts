/** Tests of the market model: seq/epoch continuity, backfill before increments, corrections, rows and re-aggregated timespans. */
import { describe, expect, it } from 'bun:test'
import { aggregateBars } from '../core/bars'
import { chartTimespans } from './chart-series'
import { MarketModel, type ChartRequest } from './market-model'
import { parseServerFrame, type BarData, type MarketMessage, type WireBar } from './wire'

const M = 60_000
const NOW = Date.UTC(2026, 10, 20, 15, 30)
const bar = (t: number, c: number, n = 1): WireBar => ({
  t,
  o: 100,
  h: Math.max(100, c),
  l: Math.min(100, c),
  c,
  v: n * 10,
  vw: 100,
  n,
})

function barMsg(
  seq: number,
  b: WireBar,
  state: BarData['state'] = 'final',
  epoch = 'e1',
  symbol = 'AAPL',
): MarketMessage {
  return { type: 'bar', symbol, seq, epoch, event_ts: b.t + M, ts: b.t + M, source: 'simulated', data: { ...b, state } }
}
function snapMsg(seq: number, last: number, at: number, epoch = 'e1', symbol = 'AAPL'): MarketMessage {
  return {
    type: 'snapshot',
    symbol,
    seq,
    epoch,
    event_ts: at,
    ts: at,
    source: 'simulated',
    data: { last, change: last - 100, change_pct: last - 100, prev_close: 100, updated_at: at, bid: null, ask: null, bid_size: null, ask_size: null },
  }
}

/** A model showing AAPL at 1m, loaded with minutes [NOW-5m, NOW) and subscribed + backfilled (synced). */
function syncedModel(): { model: MarketModel; minutes: WireBar[] } {
  const model = new MarketModel({ backfillWindowMs: 15 * M })
  model.setWatchlist(['AAPL', 'MSFT'])
  const req = model.selectChart('AAPL', chartTimespans['1m'], NOW)
  const minutes = [5, 4, 3, 2, 1].map((k) => bar(NOW - k * M, 100 + k))
  model.applyChartLoad(req, [], minutes, NOW)
  model.subscribing(['AAPL', 'MSFT'])
  model.subscribed(['AAPL', 'MSFT'])
  expect(model.needsRecovery()).toBe(true)
  const rec = model.beginRecovery(NOW)!
  model.applyRecovery(rec, minutes, NOW)
  expect(model.chartView()!.phase).toBe('synced')
  return { model, minutes }
}

const closes = (model: MarketModel) => model.chartView()!.bars.map((b) => [b.t, b.c])

describe('MarketModel continuity', () => {
  it('should drop stale and duplicate messages (seq ≤ last applied in the epoch)', () => {
    const { model } = syncedModel()
    model.applyMessage(barMsg(10, bar(NOW, 111)), NOW)
    model.applyMessage(barMsg(10, bar(NOW, 999)), NOW)
    model.applyMessage(barMsg(9, bar(NOW, 998)), NOW)
    model.applyMessage(barMsg(11, bar(NOW + M, 112)), NOW)
    expect(closes(model).slice(-2)).toEqual([
      [NOW, 111],
      [NOW + M, 112],
    ])
    expect(model.counters.stale).toBe(2)
  })

  it('should take a no_bar in the sequence: no gap, no backfill, the chart unchanged', () => {
    const { model } = syncedModel()
    model.applyMessage(barMsg(1, bar(NOW, 110)), NOW)
    const frame = JSON.stringify({ type: 'no_bar', symbol: 'AAPL', seq: 2, epoch: 'e1', event_ts: NOW + 2 * M, ts: NOW + 2 * M, source: 'simulated', data: { t: NOW + M } })
    const parsed = parseServerFrame(frame)
    expect(parsed?.type).toBe('no_bar')
    model.applyMessage(parsed as MarketMessage, NOW + 2 * M)
    model.applyMessage(barMsg(3, bar(NOW + 2 * M, 112)), NOW + 3 * M)
    expect(model.counters.gaps).toBe(0)
    expect(model.needsRecovery()).toBe(false)
    expect(closes(model).slice(-2)).toEqual([
      [NOW, 110],
      [NOW + 2 * M, 112],
    ])
  })

  it('should apply quotes (their own seq) to the row only: bid and ask move, no gap, the chart untouched', () => {
    const { model } = syncedModel()
    model.applyMessage(barMsg(1, bar(NOW, 110)), NOW)
    const quote = (seq: number, bid: number): MarketMessage =>
      parseServerFrame(
        JSON.stringify({ type: 'quote', symbol: 'AAPL', seq, epoch: 'e1', event_ts: NOW, ts: NOW, source: 'simulated', data: { bid, ask: bid + 0.02, bid_size: 3, ask_size: 4, bid_exchange: 4, ask_exchange: 11, condition: null, t: NOW, count: 1 } }),
      ) as MarketMessage
    model.applyMessage(quote(1, 109.98), NOW)
    model.applyMessage(quote(2, 110.01), NOW)
    model.applyMessage(barMsg(2, bar(NOW + M, 111)), NOW + M)
    expect(model.counters.gaps).toBe(0)
    expect(model.needsRecovery()).toBe(false)
    expect(model.rows().find((r) => r.ticker === 'AAPL')).toMatchObject({ bid: 110.01, ask: 110.03 })
    expect(closes(model).slice(-2)).toEqual([
      [NOW, 110],
      [NOW + M, 111],
    ])
  })

  it('should hold messages after a gap until the backfill, then apply them on top of REST', () => {
    const { model } = syncedModel()
    model.applyMessage(barMsg(1, bar(NOW, 110)), NOW)
    model.applyMessage(barMsg(4, bar(NOW + M, 120, 3), 'live'), NOW + M) // 2 and 3 were lost
    expect(model.counters.gaps).toBe(1)
    expect(model.needsRecovery()).toBe(true)
    model.applyMessage(barMsg(5, bar(NOW + M, 121, 4), 'live'), NOW + M)
    expect(closes(model).at(-1)).toEqual([NOW, 110]) // nothing applied while waiting

    const req = model.beginRecovery(NOW + M)!
    expect(req.minutesFrom).toBeLessThanOrEqual(NOW + M - 15 * M)
    model.applyMessage(barMsg(6, bar(NOW + M, 122, 5), 'live'), NOW + M)
    // REST knows the minute the lost messages closed, and an older view of the forming one.
    model.applyRecovery(req, [bar(NOW, 115, 2), bar(NOW + M, 119, 2)], NOW + M)
    expect(model.chartView()!.phase).toBe('synced')
    expect(closes(model).slice(-2)).toEqual([
      [NOW, 115],
      [NOW + M, 122],
    ])
  })

  it('should recover again when a gap shows up among messages received after the backfill request', () => {
    const { model } = syncedModel()
    model.applyMessage(barMsg(1, bar(NOW, 110)), NOW)
    model.applyMessage(barMsg(3, bar(NOW + M, 111)), NOW)
    const first = model.beginRecovery(NOW)!
    model.applyMessage(barMsg(4, bar(NOW + 2 * M, 112)), NOW)
    model.applyMessage(barMsg(9, bar(NOW + 3 * M, 113)), NOW)
    model.applyRecovery(first, [bar(NOW, 110), bar(NOW + M, 111)], NOW)
    expect(model.needsRecovery()).toBe(true)
    const second = model.beginRecovery(NOW + 1)!
    model.applyRecovery(
      second,
      [bar(NOW, 110), bar(NOW + M, 111), bar(NOW + 2 * M, 112), bar(NOW + 3 * M, 113)],
      NOW + 2,
    )
    expect(model.chartView()!.phase).toBe('synced')
    expect(
      closes(model)
        .slice(-4)
        .map(([, c]) => c),
    ).toEqual([110, 111, 112, 113])
  })

  it('should treat a new epoch as lost continuity and backfill', () => {
    const { model } = syncedModel()
    model.applyMessage(barMsg(7, bar(NOW, 110)), NOW)
    model.applyMessage(barMsg(1, bar(NOW + M, 130, 2), 'live', 'e2'), NOW)
    expect(model.counters.epochChanges).toBe(1)
    expect(model.needsRecovery()).toBe(true)
    const req = model.beginRecovery(NOW)!
    model.applyRecovery(req, [bar(NOW, 110), bar(NOW + M, 129, 1)], NOW)
    model.applyMessage(barMsg(2, bar(NOW + M, 131, 3), 'live', 'e2'), NOW)
    expect(closes(model).at(-1)).toEqual([NOW + M, 131])
  })

  it('should let a correction overwrite the final bar of the same minute', () => {
    const { model } = syncedModel()
    model.applyMessage(barMsg(1, bar(NOW - M, 150, 9)), NOW)
    model.applyMessage(barMsg(2, bar(NOW - M, 140, 8), 'correction'), NOW)
    expect(model.chartMinutes().find((b) => b.t === NOW - M)).toMatchObject({ c: 140, n: 8, origin: 'correction' })
  })

  it('should not need a backfill for gaps of symbols that are not charted (rows are whole state)', () => {
    const { model } = syncedModel()
    model.applyMessage(snapMsg(1, 101, NOW, 'e1', 'MSFT'), NOW)
    model.applyMessage(snapMsg(5, 105, NOW + 1, 'e1', 'MSFT'), NOW)
    model.applyMessage(snapMsg(4, 104, NOW + 2, 'e1', 'MSFT'), NOW)
    expect(model.needsRecovery()).toBe(false)
    expect(model.rows().find((r) => r.ticker === 'MSFT')).toMatchObject({ last: 105, source: 'WS' })
  })

  it('should hold chart messages from the subscribe request until the subscription is confirmed and backfilled', () => {
    const { model } = syncedModel()
    model.streamLost()
    model.subscribing(['AAPL'])
    model.applyMessage(barMsg(40, bar(NOW, 110)), NOW)
    expect(model.chartView()!.phase).toBe('awaiting_subscription')
    model.subscribed(['AAPL'])
    const req = model.beginRecovery(NOW)!
    model.applyRecovery(req, [bar(NOW - M, 101)], NOW)
    expect(closes(model).slice(-2)).toEqual([
      [NOW - M, 101],
      [NOW, 110],
    ])
  })

  it('should ignore a chart answer for a chart that was replaced meanwhile', () => {
    const model = new MarketModel()
    model.setWatchlist(['AAPL', 'MSFT'])
    const old: ChartRequest = model.selectChart('AAPL', chartTimespans['1m'], NOW)
    model.selectChart('MSFT', chartTimespans['1m'], NOW)
    model.applyChartLoad(old, [], [bar(NOW - M, 1)], NOW)
    expect(model.chartView()!.symbol).toBe('MSFT')
    expect(model.chartView()!.bars).toEqual([])
  })
})

describe('MarketModel rows', () => {
  it('should take the newer of REST and stream values', () => {
    const { model } = syncedModel()
    model.applyMessage(snapMsg(1, 120, NOW + 5_000, 'e1', 'MSFT'), NOW)
    model.applyRestSnapshots([
      {
        ticker: 'MSFT',
        last: 119,
        change: 19,
        change_pct: 19,
        prev_close: 100,
        bid: null,
        ask: null,
        bid_size: null,
        ask_size: null,
        updated_at: new Date(NOW).toISOString(),
        source: 'REST',
        session: 'open',
      },
    ])
    expect(model.rows()[1]).toMatchObject({ last: 120, source: 'WS' })
    model.applyRestSnapshots([
      {
        ticker: 'MSFT',
        last: 121,
        change: 21,
        change_pct: 21,
        prev_close: 100,
        bid: null,
        ask: null,
        bid_size: null,
        ask_size: null,
        updated_at: new Date(NOW + 9_000).toISOString(),
        source: 'REST',
        session: 'open',
      },
    ])
    expect(model.rows()[1]).toMatchObject({ last: 121, source: 'REST', updatedAt: NOW + 9_000 })
  })
})

describe('MarketModel timespans', () => {
  it('should re-aggregate live minute updates into 5-minute buckets with the server rules', () => {
    const model = new MarketModel({ backfillWindowMs: 15 * M })
    model.setWatchlist(['AAPL'])
    const req = model.selectChart('AAPL', chartTimespans['5m'], NOW)
    expect(req.coverageFrom % (5 * M)).toBe(0)
    const minutes = Array.from({ length: (NOW - req.coverageFrom) / M }, (_, i) =>
      bar(req.coverageFrom + i * M, 100 + (i % 7), 1 + (i % 3)),
    )
    const history = [bar(req.coverageFrom - 10 * M, 90), bar(req.coverageFrom - 5 * M, 95)]
    model.applyChartLoad(req, history, minutes, NOW)
    model.subscribing(['AAPL'])
    model.subscribed(['AAPL'])
    model.applyRecovery(model.beginRecovery(NOW)!, minutes, NOW)
    const live = bar(NOW, 140, 4)
    model.applyMessage(barMsg(1, live, 'live'), NOW)
    const expected = history.concat(aggregateBars([...minutes, live], 'minute', 5))
    expect(model.chartView()!.bars).toEqual(expected)
  })
})
