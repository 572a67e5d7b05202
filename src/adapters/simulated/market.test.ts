/** Tests for the simulated market: determinism, trades ↔ minute bars ↔ day bars agreement, asOf, snapshots and speed. */

import { describe, expect, it } from 'bun:test'
import { accumulateTrade, accumulatorToBar, aggregateBars, openAccumulator } from '../../core/bars.ts'
import { DAY_MS, HOUR_MS, MINUTE_MS, nyDayStart, nyNextDayStart } from '../../core/market-time.ts'
import { NotFoundError } from '../../errors.ts'
import type { Bar, Trade } from '../../core/market-types.ts'
import {
  clearMarketCaches,
  dayBars,
  findSimulatedTicker,
  isKnownTicker,
  minuteBars,
  simulatedMarket,
  searchSimulatedTickers,
  simulatedUniverse,
  snapshotAt,
  tradesBetween,
} from './market.ts'
import { scheduleOfIndex, tradingDaysBetween } from '../../core/calendar.ts'
import { dayIndexOfDate, nyDayIndex, nyDayStartOfIndex } from '../../core/market-time.ts'

const always = simulatedMarket('always')

const WEDNESDAY = Date.UTC(2025, 2, 12, 4) // 2025-03-12 00:00 EDT
const SATURDAY = Date.UTC(2025, 2, 15, 4) // 2025-03-15 00:00 EDT
const OPEN = WEDNESDAY + (9 * 60 + 30) * MINUTE_MS
const CLOSE = WEDNESDAY + 16 * HOUR_MS

/** Minute bars computed independently from the trade list. */
function barsFromTrades(trades: Trade[]): Bar[] {
  const out: Bar[] = []
  let acc = openAccumulator(NaN)
  for (const trade of trades) {
    const minute = Math.floor(trade.t / MINUTE_MS) * MINUTE_MS
    if (minute !== acc.t) {
      const done = accumulatorToBar(acc)
      if (done) out.push(done)
      acc = openAccumulator(minute)
    }
    accumulateTrade(acc, trade.p, trade.s)
  }
  const done = accumulatorToBar(acc)
  if (done) out.push(done)
  return out
}

describe('universe', () => {
  it('has 200 stocks and the common ETFs, distinct, with names and positive base prices', () => {
    const stocks = simulatedUniverse.filter((s) => s.type === 'CS')
    const etfs = simulatedUniverse.filter((s) => s.type === 'ETF').map((s) => s.ticker)
    expect(stocks).toHaveLength(200)
    expect(etfs).toEqual(expect.arrayContaining(['SPY', 'QQQ', 'IWM', 'DIA', 'XLK', 'XLF', 'XLE']))
    expect(stocks.length + etfs.length).toBe(simulatedUniverse.length)
    expect(new Set(simulatedUniverse.map((s) => s.ticker)).size).toBe(simulatedUniverse.length)
    expect(findSimulatedTicker('SPY')).toMatchObject({ name: 'SPDR S&P 500 ETF Trust', type: 'ETF', exchange: 'ARCX' })
    expect(findSimulatedTicker('AAPL')).toMatchObject({ type: 'CS', exchange: 'XNAS' })
    expect(findSimulatedTicker('JPM')).toMatchObject({ type: 'CS', exchange: 'XNYS' })
    for (const s of simulatedUniverse) {
      expect(s.name.length).toBeGreaterThan(1)
      expect(s.basePrice).toBeGreaterThan(1)
    }
    expect(findSimulatedTicker('AAPL')?.name).toBe('Apple Inc.')
    expect(isKnownTicker('NVDA')).toBe(true)
    expect(isKnownTicker('aapl')).toBe(false)
    expect(isKnownTicker('ZZZZ')).toBe(false)
  })

  it('finds tickers by ticker and by name, the exact ticker first', () => {
    expect(searchSimulatedTickers('spy', 3)[0]?.ticker).toBe('SPY')
    expect(searchSimulatedTickers('app', 10).map((s) => s.ticker).slice(0, 2)).toEqual(['AAPL', 'AMAT'])
    expect(searchSimulatedTickers('select sector', 20).every((s) => s.type === 'ETF')).toBe(true)
    expect(searchSimulatedTickers('xl', 4)).toHaveLength(4)
    expect(searchSimulatedTickers('   ', 10)).toEqual([])
    expect(searchSimulatedTickers('zzzzqq', 10)).toEqual([])
  })
})

describe('tradesBetween', () => {
  const trades = tradesBetween('AAPL', OPEN, OPEN + 30 * MINUTE_MS)

  it('is deterministic and split-invariant', () => {
    expect(tradesBetween('AAPL', OPEN, OPEN + 30 * MINUTE_MS)).toEqual(trades)
    const cut = OPEN + 7 * MINUTE_MS + 12_345
    expect([...tradesBetween('AAPL', OPEN, cut), ...tradesBetween('AAPL', cut, OPEN + 30 * MINUTE_MS)]).toEqual(trades)
    expect(tradesBetween('MSFT', OPEN, OPEN + MINUTE_MS)).not.toEqual(tradesBetween('AAPL', OPEN, OPEN + MINUTE_MS))
  })

  it('returns the half-open window ascending by t, with strictly increasing q, cent prices and plausible sizes', () => {
    expect(trades.length).toBeGreaterThan(30 * 30)
    expect(trades[0].t).toBeGreaterThanOrEqual(OPEN)
    expect(trades.at(-1)!.t).toBeLessThan(OPEN + 30 * MINUTE_MS)
    const base = findSimulatedTicker('AAPL')!.basePrice
    for (let i = 0; i < trades.length; i++) {
      const { p, s, t, q, symbol } = trades[i]
      expect(symbol).toBe('AAPL')
      expect(Math.abs(p * 100 - Math.round(p * 100))).toBeLessThan(1e-6)
      expect(p).toBeGreaterThan(base * 0.5)
      expect(p).toBeLessThan(base * 2)
      expect(s).toBeGreaterThanOrEqual(1)
      expect(s).toBeLessThanOrEqual(500)
      if (i > 0) {
        expect(t).toBeGreaterThanOrEqual(trades[i - 1].t)
        expect(q).toBeGreaterThan(trades[i - 1].q)
      }
    }
    const roundLots = trades.filter((x) => x.s % 100 === 0).length
    expect(roundLots / trades.length).toBeGreaterThan(0.5)
  })

  it('trades at most about 2 per second in regular hours, none at night and on weekends (by the calendar)', () => {
    const regular = tradesBetween('AAPL', OPEN, CLOSE).length / ((CLOSE - OPEN) / 1000)
    expect(regular).toBeGreaterThan(0.8)
    expect(regular).toBeLessThanOrEqual(2.2)
    expect(tradesBetween('AAPL', WEDNESDAY, WEDNESDAY + 4 * HOUR_MS)).toEqual([])
    expect(tradesBetween('AAPL', SATURDAY, SATURDAY + DAY_MS)).toEqual([])
  })

  it('trades around the clock with SIMULATED_MARKET_HOURS=always: the same regular session, busy nights and weekends', () => {
    expect(always.tradesBetween('AAPL', OPEN, CLOSE)).toEqual(tradesBetween('AAPL', OPEN, CLOSE))
    expect(always.tradesBetween('AAPL', WEDNESDAY, WEDNESDAY + 4 * HOUR_MS).length).toBeGreaterThan(4 * 60 * 30)
    expect(always.tradesBetween('AAPL', SATURDAY, SATURDAY + DAY_MS).length).toBeGreaterThan(1440 * 30)
  })

  it('is empty for an unknown ticker or an empty window', () => {
    expect(tradesBetween('ZZZZ', OPEN, CLOSE)).toEqual([])
    expect(tradesBetween('AAPL', OPEN, OPEN)).toEqual([])
  })
})

describe('minuteBars', () => {
  it('equals the aggregate of tradesBetween over a whole day, with no night minutes and sparse extended hours', () => {
    const bars = minuteBars('AAPL', WEDNESDAY, WEDNESDAY + DAY_MS, Infinity)
    expect(bars).toEqual(barsFromTrades(tradesBetween('AAPL', WEDNESDAY, WEDNESDAY + DAY_MS)))
    expect(bars.filter((b) => b.t < WEDNESDAY + 4 * HOUR_MS || b.t >= WEDNESDAY + 20 * HOUR_MS)).toEqual([])
    const pre = bars.filter((b) => b.t >= WEDNESDAY + 4 * HOUR_MS && b.t < OPEN)
    expect(pre.length).toBeGreaterThan(0)
    expect(pre.length).toBeLessThan(330 * 0.99)
    expect(bars.filter((b) => b.t >= OPEN && b.t < CLOSE)).toHaveLength(390)
    const allDay = always.minuteBars('AAPL', WEDNESDAY, WEDNESDAY + DAY_MS, Infinity)
    expect(allDay).toEqual(barsFromTrades(always.tradesBetween('AAPL', WEDNESDAY, WEDNESDAY + DAY_MS)))
    expect(allDay).toHaveLength(1440)
  })

  it('only includes windows starting in [from, to), and is deterministic', () => {
    const from = OPEN + 30_000
    const bars = minuteBars('NVDA', from, OPEN + 10 * MINUTE_MS, Infinity)
    expect(bars.map((b) => b.t)).toEqual(Array.from({ length: 9 }, (_, i) => OPEN + (i + 1) * MINUTE_MS))
    expect(minuteBars('NVDA', from, OPEN + 10 * MINUTE_MS, Infinity)).toEqual(bars)
  })

  it('makes the current minute partial at asOf and omits later minutes', () => {
    const asOf = OPEN + 5 * MINUTE_MS + 31_234
    const bars = minuteBars('AAPL', OPEN, OPEN + HOUR_MS, asOf)
    expect(bars).toHaveLength(6)
    expect(bars.at(-1)!.t).toBe(OPEN + 5 * MINUTE_MS)
    const partialTrades = tradesBetween('AAPL', OPEN + 5 * MINUTE_MS, asOf)
    expect(partialTrades.length).toBeGreaterThan(0)
    expect(bars.at(-1)).toEqual(barsFromTrades(partialTrades)[0])
    expect(bars.at(-1)!.n).toBeLessThan(minuteBars('AAPL', OPEN + 5 * MINUTE_MS, OPEN + 6 * MINUTE_MS, Infinity)[0].n)
    expect(bars.slice(0, 5)).toEqual(minuteBars('AAPL', OPEN, OPEN + 5 * MINUTE_MS, Infinity))
  })

  it('is empty for an unknown ticker', () => {
    expect(minuteBars('ZZZZ', OPEN, CLOSE, Infinity)).toEqual([])
  })
})

describe('dayBars', () => {
  it('equals the aggregate of the day’s minute bars but closes at the regular session’s last trade, on normal days and around DST changes', () => {
    const mondaysAfterDst = [nyDayStart(Date.UTC(2025, 2, 10, 12)), nyDayStart(Date.UTC(2025, 10, 3, 12))]
    for (const dayStart of [WEDNESDAY, ...mondaysAfterDst]) {
      const dayEnd = nyNextDayStart(dayStart)
      const [day] = dayBars('MSFT', dayStart, dayStart + 1, Infinity)
      expect(day.t).toBe(dayStart)
      const sched = scheduleOfIndex(nyDayIndex(dayStart))!
      const regularClose = minuteBars('MSFT', sched.open, sched.close, Infinity).at(-1)!.c
      const [all] = aggregateBars(minuteBars('MSFT', dayStart, dayEnd, Infinity), 'day', 1)
      expect(day).toEqual({ ...all, c: regularClose })
    }
    // The DST Sundays themselves (23 and 25 hours) trade only around the clock.
    for (const dayStart of [nyDayStart(Date.UTC(2025, 2, 9, 12)), nyDayStart(Date.UTC(2025, 10, 2, 12))]) {
      const dayEnd = nyNextDayStart(dayStart)
      expect(dayBars('MSFT', dayStart, dayEnd, Infinity)).toEqual([])
      const [day] = always.dayBars('MSFT', dayStart, dayStart + 1, Infinity)
      expect(day.t).toBe(dayStart)
      expect([day]).toEqual(aggregateBars(always.minuteBars('MSFT', dayStart, dayEnd, Infinity), 'day', 1))
    }
  })

  it('returns one bar per trading day starting in [from, to) (one per NY day around the clock), stable across calls and cache state', () => {
    const from = Date.UTC(2025, 0, 1)
    const to = Date.UTC(2025, 1, 1)
    const bars = dayBars('TSLA', from, to, Infinity)
    const tradingDays = tradingDaysBetween('2025-01-01', '2025-01-31')
    expect(tradingDays).toHaveLength(20) // 31 days - 8 weekend days - New Year's Day, the Carter closure, MLK Day
    expect(bars.map((b) => b.t)).toEqual(tradingDays.map((d) => nyDayStartOfIndex(dayIndexOfDate(d))))
    clearMarketCaches()
    expect(dayBars('TSLA', from, to, Infinity)).toEqual(bars)
    expect(dayBars('TSLA', from, to, Infinity)).toEqual(bars)
    const allDays = always.dayBars('TSLA', from, to, Infinity)
    expect(allDays).toHaveLength(31)
    expect(allDays[0].t).toBe(Date.UTC(2025, 0, 1, 5))
  })

  it('makes today partial at asOf (matching its minute bars) and omits later days', () => {
    const asOf = OPEN + 2 * HOUR_MS + 17_000
    const bars = dayBars('AAPL', WEDNESDAY - 2 * DAY_MS, WEDNESDAY + 5 * DAY_MS, asOf)
    expect(bars.map((b) => b.t)).toEqual([WEDNESDAY - 2 * DAY_MS, WEDNESDAY - DAY_MS, WEDNESDAY])
    expect(bars.at(-1)).toEqual(aggregateBars(minuteBars('AAPL', WEDNESDAY, asOf + MINUTE_MS, asOf), 'day', 1)[0])
    expect(bars.at(-1)!.v).toBeLessThan(dayBars('AAPL', WEDNESDAY, WEDNESDAY + 1, Infinity)[0].v)
    // A later asOf on the same day extends the cached prefix and still matches the minutes.
    const later = asOf + 3 * HOUR_MS
    const [extended] = dayBars('AAPL', WEDNESDAY, WEDNESDAY + 1, later)
    expect(extended).toEqual(aggregateBars(minuteBars('AAPL', WEDNESDAY, later + MINUTE_MS, later), 'day', 1)[0])
  })

  it('is empty for an unknown ticker', () => {
    expect(dayBars('ZZZZ', WEDNESDAY, WEDNESDAY + DAY_MS, Infinity)).toEqual([])
  })
})

describe('snapshotAt', () => {
  it('derives last, prevClose, change and changePct from trades and day bars', () => {
    const now = OPEN + HOUR_MS + 12_345
    const snap = snapshotAt('AAPL', now)
    const lastTrade = tradesBetween('AAPL', now - MINUTE_MS, now + 1).at(-1)!
    const [prevDay] = dayBars('AAPL', WEDNESDAY - DAY_MS, WEDNESDAY, Infinity)
    const [today] = dayBars('AAPL', WEDNESDAY, WEDNESDAY + 1, now + 1)
    expect(snap.ticker).toBe('AAPL')
    expect(snap.last).toBe(lastTrade.p)
    expect(snap.updatedAt).toBe(lastTrade.t)
    expect(snap.prevClose).toBe(prevDay.c)
    expect(snap.change).toBe(Math.round((lastTrade.p - prevDay.c) * 100) / 100)
    expect(snap.changePct).toBeCloseTo((snap.change / prevDay.c) * 100, 3)
    expect(snap.day).toEqual({ o: today.o, h: today.h, l: today.l, c: today.c, v: today.v })
    expect(snap.day!.c).toBe(snap.last)
    expect(snapshotAt('AAPL', now)).toEqual(snap)
  })

  it('includes a trade at exactly now and finds the last trade across empty night minutes', () => {
    const [trade] = tradesBetween('AAPL', OPEN, OPEN + MINUTE_MS)
    expect(snapshotAt('AAPL', trade.t).updatedAt).toBe(trade.t)
    const night = WEDNESDAY + 2 * HOUR_MS + 30 * MINUTE_MS
    const last = tradesBetween('AAPL', night - 8 * HOUR_MS, night + 1).at(-1)!
    expect(last.t).toBeLessThan(WEDNESDAY - 4 * HOUR_MS) // Tuesday's post-market, before 20:00
    expect(snapshotAt('AAPL', night).last).toBe(last.p)
    expect(snapshotAt('AAPL', night).updatedAt).toBe(last.t)
  })

  it('throws NotFoundError for an unknown ticker', () => {
    expect(() => snapshotAt('ZZZZ', OPEN)).toThrow(NotFoundError)
  })
})

describe('performance', () => {
  const elapsed = (fn: () => unknown) => {
    const start = performance.now()
    fn()
    return performance.now() - start
  }
  // Warm the JIT on another ticker and period first: the targets are about cold caches, not a cold JIT.
  dayBars('KO', Date.UTC(2023, 0, 1), Date.UTC(2023, 0, 8), Infinity)

  it('builds a full day of minute bars (1440 minutes) in ≤ 15 ms', () => {
    const ms = elapsed(() => minuteBars('AAPL', WEDNESDAY + 7 * DAY_MS, WEDNESDAY + 8 * DAY_MS, Infinity))
    console.log(`minute bars, 1 day: ${ms.toFixed(1)} ms`)
    expect(ms).toBeLessThanOrEqual(15)
  })

  it('builds a completed day bar cold in ≤ 15 ms', () => {
    clearMarketCaches()
    const ms = elapsed(() => dayBars('NVDA', WEDNESDAY + 14 * DAY_MS, WEDNESDAY + 14 * DAY_MS + 1, Infinity))
    console.log(`day bar, cold: ${ms.toFixed(1)} ms`)
    expect(ms).toBeLessThanOrEqual(15)
  })

  it('builds one year of day bars cold in ≤ 3 s', () => {
    clearMarketCaches()
    const ms = elapsed(() => dayBars('META', Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1), Infinity))
    console.log(`day bars, 1 year cold: ${ms.toFixed(0)} ms`)
    expect(ms).toBeLessThanOrEqual(3000)
  })
})
