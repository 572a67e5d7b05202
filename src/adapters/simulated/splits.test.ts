import { describe, expect, test } from 'bun:test'
import { splitStartMs } from '../../core/splits'
import { DAY_MS, HOUR_MS } from '../../core/market-time'
import { simulatedMarket } from './market'
import { SimulatedSplits, simulatedSplits } from './splits'

const split = simulatedSplits[0]
const E = splitStartMs(split) // 2026-11-16 00:00 New York
const market = simulatedMarket('calendar')

describe('simulated split (AVGO 4-for-1 on 2026-11-16)', () => {
  test('trades print on the old scale before the execution date and on the new one from its pre-market', () => {
    const before = market.tradesBetween('AVGO', E - 4 * DAY_MS + 10 * HOUR_MS, E - 4 * DAY_MS + 15 * HOUR_MS) // Thu 10:00-15:00
    const after = market.tradesBetween('AVGO', E + 10 * HOUR_MS, E + 15 * HOUR_MS) // Mon 10:00-15:00
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const ratio = mean(before.map((t) => t.p)) / mean(after.map((t) => t.p))
    expect(ratio).toBeGreaterThan(3.2)
    expect(ratio).toBeLessThan(4.8)
  })

  test('history as of a later instant is adjusted (prices ÷ 4, volume × 4, trades unchanged) and has no cliff', () => {
    const from = E - 7 * DAY_MS
    const asOfBefore = E - 1 // Sunday 23:59:59.999: the split has not happened yet
    const asOfAfter = E + 3 * DAY_MS
    const raw = market.dayBars('AVGO', from, E, asOfBefore)
    const adjusted = market.dayBars('AVGO', from, E, asOfAfter)
    expect(raw.length).toBe(5)
    expect(adjusted.map((b) => b.t)).toEqual(raw.map((b) => b.t))
    for (const [i, b] of adjusted.entries()) {
      const r = raw[i]
      expect([b.o, b.h, b.l, b.c, b.vw, b.v, b.n]).toEqual([r.o / 4, r.h / 4, r.l / 4, r.c / 4, r.vw / 4, r.v * 4, r.n])
    }
    const minutesRaw = market.minuteBars('AVGO', E - 3 * DAY_MS, E - 3 * DAY_MS + 2 * HOUR_MS + 14 * HOUR_MS, asOfBefore)
    const minutesAdj = market.minuteBars('AVGO', E - 3 * DAY_MS, E - 3 * DAY_MS + 2 * HOUR_MS + 14 * HOUR_MS, asOfAfter)
    expect(minutesAdj.map((b) => b.c)).toEqual(minutesRaw.map((b) => b.c / 4))
    // Friday's close and Monday's open as of Monday evening: one scale.
    const days = market.dayBars('AVGO', from, E + DAY_MS, E + 20 * HOUR_MS)
    const friday = days[days.length - 2]
    const monday = days[days.length - 1]
    expect(monday.t).toBe(E)
    expect(monday.o / friday.c).toBeGreaterThan(0.9)
    expect(monday.o / friday.c).toBeLessThan(1.1)
  })

  test('a snapshot on the execution date compares with the adjusted previous close', () => {
    const snap = market.snapshotAt('AVGO', E + 11 * HOUR_MS)
    const fridayRaw = market.dayBars('AVGO', E - 3 * DAY_MS, E - 2 * DAY_MS, E - 1)[0]
    expect(snap.prevClose).toBe(fridayRaw.c / 4)
    expect(Math.abs(snap.changePct)).toBeLessThan(10)
  })

  test('other tickers are unaffected', () => {
    expect(market.dayBars('AAPL', E - 7 * DAY_MS, E, E - 1)).toEqual(market.dayBars('AAPL', E - 7 * DAY_MS, E, E + DAY_MS))
  })

  test('the schedule over the port lists splits by execution date', async () => {
    const splits = new SimulatedSplits()
    expect(await splits.fetchSplits('2026-11-01', '2026-11-30')).toEqual([split])
    expect(await splits.fetchSplits('2026-11-17', '2026-12-31')).toEqual([])
    expect(await splits.fetchSplits('2026-11-16', '2026-11-16')).toEqual([split])
  })
})
