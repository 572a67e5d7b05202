/** Tests for the simulated market: determinism, trades ↔ minute bars ↔ day bars agreement, asOf, snapshots and speed. */

import { describe, expect, it } from 'bun:test'
import { accumulatorToBar, openAccumulator } from '../../core/bars.ts'
import { accumulateDayTrade, accumulateMinuteTrade, Condition, eligibilityOf } from '../../core/trade-conditions.ts'
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

/** In the regular session by the calendar (09:30 to the day's close); around the clock everything is. */
const byCalendar = (t: number) => {
  const sched = scheduleOfIndex(nyDayIndex(t))
  return sched !== null && t >= sched.open && t < sched.close
}
const allDay = () => true

/** Minute bars computed from the trade list and each trade's own conditions `c` (the provider's rules). */
function barsFromTrades(trades: Trade[], regular: (t: number) => boolean = byCalendar): Bar[] {
  const out: Bar[] = []
  let acc = openAccumulator(NaN)
  for (const trade of trades) {
    const minute = Math.floor(trade.t / MINUTE_MS) * MINUTE_MS
    if (minute !== acc.t) {
      const done = accumulatorToBar(acc)
      if (done) out.push(done)
      acc = openAccumulator(minute)
    }
    accumulateMinuteTrade(acc, trade.p, trade.s, eligibilityOf(trade.c), regular(minute))
  }
  const done = accumulatorToBar(acc)
  if (done) out.push(done)
  return out
}

/** The day bar from the trade list by the provider's rules: regular-session prices, the whole day's volume. */
function dayFromTrades(dayStart: number, trades: Trade[], regular: (t: number) => boolean = byCalendar): Bar | null {
  const acc = openAccumulator(dayStart)
  for (const trade of trades) accumulateDayTrade(acc, trade.p, trade.s, eligibilityOf(trade.c), regular(trade.t))
  return accumulatorToBar(acc)
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
      // Blocks: the opening auction and average-price prints.
      const blocks = [Condition.OpeningPrints, Condition.OfficialOpen, Condition.AveragePrice] as number[]
      if (!trades[i].c?.some((c) => blocks.includes(c))) expect(s).toBeLessThanOrEqual(500)
      if (i > 0) {
        expect(t).toBeGreaterThanOrEqual(trades[i - 1].t)
        expect(q).toBeGreaterThan(trades[i - 1].q)
      }
    }
    const roundLots = trades.filter((x) => x.s % 100 === 0).length
    expect(roundLots / trades.length).toBeGreaterThan(0.5)
  })

  it('marks prints with their sale conditions as the real tape has them: many odd lots, some average-price and out-of-sequence prints, auction prints, Form T outside the session', () => {
    const day = tradesBetween('AAPL', WEDNESDAY, WEDNESDAY + DAY_MS)
    const share = (id: number, from = OPEN, to = CLOSE) => {
      const inSession = day.filter((x) => x.t >= from && x.t < to)
      return inSession.filter((x) => x.c?.includes(id)).length / inSession.length
    }
    expect(day.every((x) => x.c === undefined || x.c.length > 0)).toBe(true)
    expect(day.filter((x) => x.c?.includes(Condition.OddLot)).every((x) => x.s < 100)).toBe(true)
    const outOfSequence = (x: Trade) => x.c?.includes(Condition.SoldOutOfSequence) || x.c?.includes(Condition.ExtendedHoursOutOfSequence)
    expect(day.filter((x) => x.s < 100 && !outOfSequence(x)).every((x) => x.c?.includes(Condition.OddLot))).toBe(true)
    expect(share(Condition.OddLot)).toBeGreaterThan(0.3)
    expect(share(Condition.AveragePrice)).toBeGreaterThan(0.003)
    expect(share(Condition.SoldOutOfSequence)).toBeGreaterThan(0.003)
    expect(share(Condition.IntermarketSweep)).toBeGreaterThan(0.05)
    // Every extended-hours print is Form T (out-of-sequence ones 13), none in the session.
    const extended = day.filter((x) => x.t < OPEN || x.t >= CLOSE)
    expect(extended.length).toBeGreaterThan(0)
    const extendedKinds = [Condition.FormT, Condition.ExtendedHoursOutOfSequence, Condition.AveragePrice]
    expect(extended.every((x) => x.c?.some((c) => extendedKinds.includes(c as 2 | 12 | 13)))).toBe(true)
    expect(share(Condition.FormT)).toBe(0)
    // The opening print is the session's first trade, the closing print its last but the official close marker after it;
    // the official open marker follows the opening print.
    const session = day.filter((x) => x.t >= OPEN && x.t < CLOSE)
    expect(session.slice(0, 2).map((x) => x.c)).toEqual([[Condition.OpeningPrints], [Condition.OfficialOpen]])
    expect(session.slice(-2).map((x) => x.c)).toEqual([[Condition.ClosingPrints], [Condition.OfficialClose]])
    const auction = [Condition.OpeningPrints, Condition.ClosingPrints, Condition.OfficialOpen, Condition.OfficialClose] as number[]
    expect(day.filter((x) => x.c?.some((c) => auction.includes(c)))).toHaveLength(4)
    // Average-price prints are away from the market: outside the regular prints' range of their minute somewhere.
    const away = session.filter((x) => x.c?.includes(Condition.AveragePrice)).filter((x) => {
      const bar = minuteBars('AAPL', x.t - (x.t % MINUTE_MS), x.t - (x.t % MINUTE_MS) + 1, Infinity)[0]
      return bar !== undefined && (x.p > bar.h || x.p < bar.l)
    })
    expect(away.length).toBeGreaterThan(0)
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
    const aroundTheClock = always.minuteBars('AAPL', WEDNESDAY, WEDNESDAY + DAY_MS, Infinity)
    expect(aroundTheClock).toEqual(barsFromTrades(always.tradesBetween('AAPL', WEDNESDAY, WEDNESDAY + DAY_MS), allDay))
    expect(aroundTheClock).toHaveLength(1440)
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
  it('takes its prices from the regular session’s eligible prints and its volume from the whole day, as the provider does, on normal days and around DST changes', () => {
    const mondaysAfterDst = [nyDayStart(Date.UTC(2025, 2, 10, 12)), nyDayStart(Date.UTC(2025, 10, 3, 12))]
    for (const dayStart of [WEDNESDAY, ...mondaysAfterDst]) {
      const dayEnd = nyNextDayStart(dayStart)
      const [day] = dayBars('MSFT', dayStart, dayStart + 1, Infinity)
      expect(day.t).toBe(dayStart)
      expect(day).toEqual(dayFromTrades(dayStart, tradesBetween('MSFT', dayStart, dayEnd))!)
      const sched = scheduleOfIndex(nyDayIndex(dayStart))!
      const session = minuteBars('MSFT', sched.open, sched.close, Infinity)
      // Opens at the opening print, closes at the closing print; high and low are the session's.
      expect(day.o).toBe(session[0].o)
      expect(day.c).toBe(session.at(-1)!.c)
      expect(day.h).toBe(Math.max(...session.map((b) => b.h)))
      expect(day.l).toBe(Math.min(...session.map((b) => b.l)))
      // Minutes of only odd lots have no bar, yet their volume is in the day's.
      const minutes = minuteBars('MSFT', dayStart, dayEnd, Infinity)
      expect(day.v).toBeGreaterThan(minutes.reduce((v, b) => v + b.v, 0))
    }
    // The DST Sundays themselves (23 and 25 hours) trade only around the clock.
    for (const dayStart of [nyDayStart(Date.UTC(2025, 2, 9, 12)), nyDayStart(Date.UTC(2025, 10, 2, 12))]) {
      const dayEnd = nyNextDayStart(dayStart)
      expect(dayBars('MSFT', dayStart, dayEnd, Infinity)).toEqual([])
      const [day] = always.dayBars('MSFT', dayStart, dayStart + 1, Infinity)
      expect(day.t).toBe(dayStart)
      expect(day).toEqual(dayFromTrades(dayStart, always.tradesBetween('MSFT', dayStart, dayEnd), allDay)!)
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
    expect(bars.at(-1)).toEqual(dayFromTrades(WEDNESDAY, tradesBetween('AAPL', WEDNESDAY, asOf))!)
    expect(bars.at(-1)!.v).toBeLessThan(dayBars('AAPL', WEDNESDAY, WEDNESDAY + 1, Infinity)[0].v)
    // A later asOf on the same day extends the cached prefix and still matches the minutes.
    const later = asOf + 3 * HOUR_MS
    const [extended] = dayBars('AAPL', WEDNESDAY, WEDNESDAY + 1, later)
    expect(extended).toEqual(dayFromTrades(WEDNESDAY, tradesBetween('AAPL', WEDNESDAY, later))!)
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
    expect(snap.day).toEqual({ o: today.o, h: today.h, l: today.l, c: today.c, v: today.v, vw: today.vw })
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
