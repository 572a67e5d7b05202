/** Live and final agree by construction: a whole simulated session with realistic sale conditions, replayed through the live pipeline, ends every minute on its final bar and the day on its day bar. */
import { describe, expect, it } from 'bun:test'
import { accumulateTrade, accumulatorToBar, openAccumulator } from '../../core/bars.ts'
import { allDayRegularSession, applyTrade, createSymbolState, dayBarOf, liveBarOf, seedMinutePrefix, type SymbolState } from '../../core/coalesce.ts'
import { DAY_MS, MINUTE_MS, dayIndexOfDate, nyDayStartOfIndex } from '../../core/market-time.ts'
import type { Bar, Trade } from '../../core/market-types.ts'
import { dayBars, minuteBars, simulatedMarket, snapshotAt, tradesBetween } from './market.ts'

// Monday 2026-11-30, a full trading day (pre-market 04:00, session 09:30–16:00, post-market to 20:00 New York).
const DAY_START = nyDayStartOfIndex(dayIndexOfDate('2026-11-30'))
const DAY_END = DAY_START + DAY_MS
const ny = (hours: number) => DAY_START + hours * 3_600_000
const minuteOf = (t: number) => Math.floor(t / MINUTE_MS) * MINUTE_MS

/** Replays trades into the state, returning each minute's last live bar (what a client last saw before the final bar). */
function replay(s: SymbolState, trades: readonly Trade[], lastLive = new Map<number, Bar>()): Map<number, Bar> {
  for (const trade of trades) {
    applyTrade(s, trade)
    const live = liveBarOf(s)
    if (live !== null) {
      const { state: _state, ...bar } = live
      lastLive.set(bar.t, bar)
    }
  }
  return lastLive
}

/** Minutes whose last live bar differs from the final bar (a final without a live bar, or a live bar without a final, included). */
function divergent(lastLive: Map<number, Bar>, finals: readonly Bar[]): number[] {
  const out: number[] = []
  const byT = new Map(finals.map((b) => [b.t, b]))
  for (const t of new Set([...lastLive.keys(), ...byT.keys()])) {
    if (!Bun.deepEquals(lastLive.get(t), byT.get(t))) out.push(t)
  }
  return out
}

describe('live minute bars and the final bars of a full simulated session', () => {
  for (const ticker of ['AAPL', 'KO', 'SPY']) {
    it(`${ticker}: every minute's last live bar equals its final bar (0 divergent), and the day's high/low equal the day bar`, () => {
      const trades = tradesBetween(ticker, DAY_START, DAY_END)
      const finals = minuteBars(ticker, DAY_START, DAY_END, Infinity)
      const s = createSymbolState()
      const lastLive = replay(s, trades)
      expect(finals.length).toBeGreaterThan(390)
      expect(divergent(lastLive, finals)).toEqual([])
      const [day] = dayBars(ticker, DAY_START, DAY_START + 1, Infinity)
      expect(dayBarOf(s)).toEqual(day)
      expect(s.last).toBe(snapshotAt(ticker, DAY_END - 1).last)

      // The session is realistic: prints that may not set prices are common, and treating every
      // trade alike (the pipeline before sale conditions) diverges on many minutes.
      expect(trades.filter((t) => t.c !== undefined).length / trades.length).toBeGreaterThan(0.3)
      const naive = new Map<number, Bar>()
      let acc = openAccumulator(NaN)
      for (const t of trades) {
        if (minuteOf(t.t) !== acc.t) acc = openAccumulator(minuteOf(t.t))
        accumulateTrade(acc, t.p, t.s)
        naive.set(acc.t, accumulatorToBar(acc)!)
      }
      expect(divergent(naive, finals).length).toBeGreaterThan(50)
    })
  }

  it('the 13:00 early close of 2026-11-27 and a Saturday around the clock (SIMULATED_MARKET_HOURS=always) agree the same way', () => {
    const friday = nyDayStartOfIndex(dayIndexOfDate('2026-11-27'))
    const s = createSymbolState()
    const lastLive = replay(s, tradesBetween('AAPL', friday, friday + DAY_MS))
    expect(divergent(lastLive, minuteBars('AAPL', friday, friday + DAY_MS, Infinity))).toEqual([])
    expect(dayBarOf(s)).toEqual(dayBars('AAPL', friday, friday + 1, Infinity)[0])

    const always = simulatedMarket('always')
    const saturday = nyDayStartOfIndex(dayIndexOfDate('2026-11-28'))
    const around = createSymbolState(allDayRegularSession)
    const aroundLive = replay(around, always.tradesBetween('AAPL', saturday, saturday + DAY_MS))
    const finals = always.minuteBars('AAPL', saturday, saturday + DAY_MS, Infinity)
    expect(finals.length).toBeGreaterThan(1400)
    expect(divergent(aroundLive, finals)).toEqual([])
    expect(dayBarOf(around)).toEqual(always.dayBars('AAPL', saturday, saturday + 1, Infinity)[0])
  })

  // Subscribing mid-minute: the stream brings the trades from then on, the minute's earlier trades
  // come as a prefix (the provider's trades of the minute so far), before or after the first streamed ones.
  const subscribes: [label: string, at: number][] = [
    ['pre-market', ny(8) + 23_456],
    ['the opening minute (its opening print in the prefix)', ny(9.5) + 20_000],
    ['midday', ny(12) + 17 * MINUTE_MS + 41_000],
    ['the closing minute (its closing print streamed)', ny(16) - 40_000],
  ]
  for (const [label, at] of subscribes) {
    for (const seedFirst of [true, false]) {
      it(`AAPL subscribed in ${label}, prefix seeded ${seedFirst ? 'before' : 'after'} the first streamed trades: the first minute ends on its final bar too`, () => {
        const m = minuteOf(at)
        const streamed = tradesBetween('AAPL', at, Math.min(DAY_END, at + 30 * MINUTE_MS))
        // The prefix overlaps the stream by two seconds: those trades count once.
        const prefix = tradesBetween('AAPL', m, Math.min(at + 2_000, m + MINUTE_MS))
        const s = createSymbolState()
        const early = streamed.filter((t) => t.t < at + 5_000)
        let lastLive: Map<number, Bar>
        if (seedFirst) {
          seedMinutePrefix(s, prefix)
          lastLive = replay(s, streamed)
        } else {
          lastLive = replay(s, early)
          seedMinutePrefix(s, prefix)
          const seeded = liveBarOf(s)
          if (seeded !== null) {
            const { state: _state, ...bar } = seeded
            lastLive.set(bar.t, bar)
          }
          lastLive = replay(s, streamed.slice(early.length), lastLive)
        }
        const finals = minuteBars('AAPL', m, Math.min(DAY_END, at + 30 * MINUTE_MS), Infinity)
        // Every minute of the stream but the last (cut at 30 minutes) is complete.
        const last = minuteOf(streamed.at(-1)!.t)
        lastLive.delete(last)
        expect(divergent(lastLive, finals.filter((b) => b.t !== last))).toEqual([])
        expect(lastLive.get(m)).toEqual(finals[0].t === m ? finals[0] : undefined)
      })
    }
  }
})
