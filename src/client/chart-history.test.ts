/** Older history for the chart: pages before the earliest bar, one in flight at a time, prepended in order, ended by an empty week; a page for an older chart is dropped. */
import { describe, expect, it } from 'bun:test'
import { parseBarQuery } from '../core/bar-query'
import { bucketStart, DAY_MS, HOUR_MS } from '../core/market-time'
import { chartTimespans, historyEndGapMs, type ChartTimespan } from './chart-series'
import { MarketModel } from './market-model'
import type { WireBar } from './wire'

const NOW = Date.UTC(2026, 10, 18, 15, 30) // a Wednesday, 10:30 in New York
const bar = (t: number): WireBar => ({ t, o: 1, h: 2, l: 0.5, c: 1.5, v: 10, vw: 1.2, n: 3 })
/** Hourly bars of [from, before), one per hour. */
const hours = (from: number, before: number) => {
  const out: WireBar[] = []
  for (let t = bucketStart('hour', 1, from); t < before; t += HOUR_MS) if (t >= from) out.push(bar(t))
  return out
}

function loaded1h(): MarketModel {
  const model = new MarketModel({ backfillWindowMs: 15 * 60_000 })
  model.setWatchlist(['AAPL'])
  const req = model.selectChart('AAPL', chartTimespans['1h'], NOW)
  model.applyChartLoad(req, hours(req.historyFrom!, req.coverageFrom), [], NOW)
  return model
}

describe('older chart history', () => {
  it('should ask for the page just before the loaded history, one at a time, and put it in front', () => {
    const model = loaded1h()
    const first = model.chartView()!.bars[0].t
    const req = model.beginOlder()!
    expect(req.before).toBe(first)
    expect(req.before - req.from).toBeGreaterThanOrEqual(chartTimespans['1h'].pageMs)
    expect(req.before - req.from).toBeLessThanOrEqual(90 * DAY_MS) // the bars API's widest hour span
    expect(model.beginOlder()).toBeNull() // one page in flight
    expect(model.chartView()!.older).toBe('loading')
    const page = hours(req.from, req.before)
    model.applyOlder(req, page)
    const bars = model.chartView()!.bars
    expect(bars.slice(0, page.length)).toEqual(page)
    expect(bars.every((b, i) => i === 0 || b.t > bars[i - 1].t)).toBe(true)
    expect(model.chartView()!.older).toBe('idle')
    expect(model.beginOlder()!.before).toBe(req.from)
  })

  it('should end after an empty stretch of a week, and keep going across a shorter gap', () => {
    const model = loaded1h()
    const pageMs = chartTimespans['1h'].pageMs
    expect(pageMs).toBeGreaterThanOrEqual(historyEndGapMs)
    const req = model.beginOlder()!
    model.applyOlder(req, [])
    expect(model.chartView()!.older).toBe('ended')
    expect(model.beginOlder()).toBeNull()

    // 1m pages are a day: an empty weekend day alone does not end the data.
    const minute = new MarketModel({ backfillWindowMs: 15 * 60_000 })
    minute.setWatchlist(['AAPL'])
    minute.applyChartLoad(minute.selectChart('AAPL', chartTimespans['1m'], NOW), [], [bar(NOW - 60_000)], NOW)
    for (let day = 0; day < 6; day++) {
      const r = minute.beginOlder()!
      minute.applyOlder(r, [])
      expect(minute.chartView()!.older).toBe('idle')
    }
    minute.applyOlder(minute.beginOlder()!, [])
    expect(minute.chartView()!.older).toBe('ended')
  })

  it('should retry a failed page, and drop a page that answers for a chart no longer shown', () => {
    const model = loaded1h()
    const req = model.beginOlder()!
    model.applyOlder(req, null)
    expect(model.chartView()!.older).toBe('idle')
    const again = model.beginOlder()!
    expect(again.before).toBe(req.before)
    model.selectChart('AAPL', chartTimespans['4h'], NOW)
    model.applyOlder(again, hours(again.from, again.before))
    expect(model.chartView()!.bars).toEqual([])
  })

  it('should ask only for ranges the bars API accepts, for every timeframe, around DST changes too', () => {
    const noCursors = { encode: () => '', decode: () => null }
    const accepted = (spec: (typeof chartTimespans)[ChartTimespan], from: number, to: number) =>
      parseBarQuery(
        { ticker: 'AAPL', timespan: spec.timespan, multiplier: String(spec.multiplier), from: String(from), to: String(to) },
        to + 1,
        noCursors,
      )
    const nows = [NOW, Date.UTC(2026, 2, 9, 14, 7), Date.UTC(2026, 10, 2, 15, 59), Date.UTC(2027, 0, 4, 14, 31)]
    for (const now of nows)
      for (const key of Object.keys(chartTimespans) as ChartTimespan[]) {
        const model = new MarketModel({ backfillWindowMs: 15 * 60_000 })
        model.setWatchlist(['AAPL'])
        const req = model.selectChart('AAPL', chartTimespans[key], now)
        if (req.historyFrom !== null) accepted(req.spec, req.historyFrom, req.coverageFrom - 1)
        model.applyChartLoad(req, [], [], now)
        for (let page = 0; page < 3; page++) {
          const older = model.beginOlder()!
          accepted(older.spec, older.from, older.before - 1)
          model.applyOlder(older, [bar(older.from)])
        }
      }
  })
})
