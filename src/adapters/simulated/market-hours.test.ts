/** The simulated market by the exchange calendar (no trades on holidays, weekends and overnight; thin extended hours; 13:00 early closes) and around the clock. */

import { describe, expect, it } from 'bun:test'
import { allDayRegularSession, applyTrade, createSymbolState } from '../../core/coalesce.ts'
import { scheduleOf, tradingDaysBetween } from '../../core/calendar.ts'
import { HOUR_MS, MINUTE_MS, dayIndexOfDate, nyDayStartOfIndex } from '../../core/market-time.ts'
import type { Trade } from '../../core/market-types.ts'
import { Condition, eligibilityOf, minuteRules } from '../../core/trade-conditions.ts'
import { dayBars, minuteBars, simulatedMarket, snapshotAt, tradesBetween } from './market.ts'
import { alwaysOpenTradeRate, calendarTradeRate } from './trade-model.ts'

/** 00:00 New York of a date, plus `hours` (DST-correct for the whole hours used here: no change happens on these days). */
const ny = (date: string, hours = 0) => nyDayStartOfIndex(dayIndexOfDate(date)) + hours * HOUR_MS
/** A print that may set the last price (and its minute's close): by its conditions, with Form T's exception in extended hours. */
const setsLast = (trade: Trade, extendedHours: boolean) => minuteRules(eligibilityOf(trade.c), extendedHours).openClose
const perMinute = (ticker: string, from: number, to: number) =>
  tradesBetween(ticker, from, to).length / ((to - from) / MINUTE_MS)

describe('simulated market by the calendar', () => {
  it('has no trades on Christmas 2026 (a Friday) nor on the weekend after it, and no day bars for them', () => {
    expect(tradesBetween('AAPL', ny('2026-12-25'), ny('2026-12-28'))).toEqual([])
    expect(minuteBars('NVDA', ny('2026-12-25'), ny('2026-12-28'), Infinity)).toEqual([])
    const days = dayBars('AAPL', ny('2026-12-21'), ny('2027-01-06'), Infinity)
    const expected = tradingDaysBetween('2026-12-21', '2027-01-05')
    expect(expected).not.toContain('2026-12-25')
    expect(expected).not.toContain('2027-01-01')
    expect(days.map((b) => b.t)).toEqual(expected.map((d) => ny(d)))
  })

  it('has no trades overnight: none at 03:00 New York, none from 20:00 to 04:00', () => {
    expect(tradesBetween('AAPL', ny('2026-12-08', 3), ny('2026-12-08', 4))).toEqual([])
    expect(tradesBetween('AAPL', ny('2026-12-08', 20), ny('2026-12-09', 4))).toEqual([])
    expect(tradesBetween('AAPL', ny('2026-12-08', 4), ny('2026-12-08', 5)).length).toBeGreaterThan(0)
    expect(calendarTradeRate(ny('2026-12-08', 3))).toBe(0)
  })

  it('trades few in pre-market and after-hours, busily in the regular session', () => {
    const pre = perMinute('AAPL', ny('2026-12-08', 4), ny('2026-12-08', 9.5))
    const regular = perMinute('AAPL', ny('2026-12-08', 9.5), ny('2026-12-08', 16))
    const post = perMinute('AAPL', ny('2026-12-08', 16), ny('2026-12-08', 20))
    expect(pre).toBeGreaterThan(1)
    expect(pre).toBeLessThan(10)
    expect(post).toBeGreaterThan(1)
    expect(post).toBeLessThan(10)
    expect(regular).toBeGreaterThan(60)
    expect(regular).toBeGreaterThan(10 * pre)
  })

  it('ends the regular session at 13:00 on the early close of 2026-11-27, with post-market until 17:00', () => {
    const day = '2026-11-27'
    expect(scheduleOf(day)!.earlyClose).toBe(true)
    const lastRegular = perMinute('AAPL', ny(day, 12.5), ny(day, 13))
    const firstPost = perMinute('AAPL', ny(day, 13), ny(day, 13.5))
    expect(lastRegular).toBeGreaterThan(100) // the close's rush comes at 13:00
    expect(firstPost).toBeLessThan(10)
    expect(tradesBetween('AAPL', ny(day, 16.5), ny(day, 17)).length).toBeGreaterThan(0)
    expect(tradesBetween('AAPL', ny(day, 17), ny(day, 24))).toEqual([])
    // An ordinary day is still busy at 15:00.
    expect(perMinute('AAPL', ny('2026-11-25', 15), ny('2026-11-25', 15.5))).toBeGreaterThan(60)
    const [bar] = dayBars('AAPL', ny(day), ny(day) + 1, Infinity)
    // The day's close is the regular session's closing print (at 13:00), not post-market's; its volume spans the day.
    const regularLast = tradesBetween('AAPL', ny(day, 9.5), ny(day, 13)).findLast((x) => setsLast(x, false))!
    expect(regularLast.c).toEqual([Condition.ClosingPrints])
    expect(bar.c).toBe(regularLast.p)
    const session = minuteBars('AAPL', ny(day, 9.5), ny(day, 13), Infinity)
    expect(bar.h).toBe(Math.max(...session.map((b) => b.h)))
    expect(bar.v).toBeGreaterThan(minuteBars('AAPL', ny(day), ny(day, 24), Infinity).reduce((v, b) => v + b.v, 0))
  })

  it('takes the previous close of a snapshot from the regular session, as the live stream rolls it over', () => {
    // Monday 2026-11-30 pre-market: the previous close is Friday's (early close) last price-setting trade
    // before 13:00 (its closing print), not the after-hours trade before 17:00; the stream's state rolls over to the same price.
    const friday = '2026-11-27'
    const regularLast = tradesBetween('AAPL', ny(friday, 9.5), ny(friday, 13)).findLast((x) => setsLast(x, false))!
    const postLast = tradesBetween('AAPL', ny(friday, 13), ny(friday, 17)).findLast((x) => setsLast(x, true))!
    expect(postLast.p).not.toBe(regularLast.p)
    const snap = snapshotAt('AAPL', ny('2026-11-30', 5))
    expect(snap.prevClose).toBe(regularLast.p)
    const state = createSymbolState()
    for (const t of tradesBetween('AAPL', ny(friday, 12.9), ny(friday, 17))) applyTrade(state, t)
    for (const t of tradesBetween('AAPL', ny('2026-11-30', 4), ny('2026-11-30', 5))) applyTrade(state, t)
    expect(state.prevClose).toBe(snap.prevClose)
    expect(state.last).toBe(snap.last)
  })

  it('snapshots on a holiday carry the last trade of the trading day before', () => {
    const snap = snapshotAt('AAPL', ny('2026-12-25', 12))
    // 2026-12-24 closes at 13:00: its last price is set by the last Form T print that is not an odd lot.
    const last = tradesBetween('AAPL', ny('2026-12-24', 13), ny('2026-12-24', 17)).findLast((x) => setsLast(x, true))!
    expect(snap.updatedAt).toBe(last.t)
    expect(snap.last).toBe(last.p)
    expect(snap.day).toBeUndefined()
  })
})

describe('simulated market around the clock (SIMULATED_MARKET_HOURS=always)', () => {
  const always = simulatedMarket('always')

  it('closes a day at its last trade, and the live stream rolls the previous close over to the same price', () => {
    // Saturday 2026-11-28 trades around the clock; its last price-setting trade (before midnight ET) closes the day.
    const lastOfDay = always.tradesBetween('AAPL', ny('2026-11-28', 23.5), ny('2026-11-29')).findLast((x) => setsLast(x, false))!
    const [bar] = always.dayBars('AAPL', ny('2026-11-28'), ny('2026-11-28') + 1, Infinity)
    expect(bar.c).toBe(lastOfDay.p)
    const snap = always.snapshotAt('AAPL', ny('2026-11-29', 1))
    expect(snap.prevClose).toBe(lastOfDay.p)
    const state = createSymbolState(allDayRegularSession)
    for (const t of always.tradesBetween('AAPL', ny('2026-11-28', 23.9), ny('2026-11-29', 1) + 1)) applyTrade(state, t)
    expect(state.prevClose).toBe(snap.prevClose)
    expect(state.last).toBe(snap.last)
  })

  it('trades on holidays, weekends and at night, every day of the year with a bar', () => {
    expect(always.tradesBetween('AAPL', ny('2026-12-25', 3), ny('2026-12-25', 4)).length).toBeGreaterThan(60 * 30)
    expect(always.dayBars('AAPL', ny('2026-12-21'), ny('2027-01-06'), Infinity)).toHaveLength(16)
    expect(alwaysOpenTradeRate(ny('2026-12-26', 3))).toBeGreaterThan(60)
  })

  it('keeps the regular session of an ordinary trading day exactly as the calendar market has it', () => {
    expect(always.minuteBars('MSFT', ny('2026-12-08', 9.5), ny('2026-12-08', 16), Infinity)).toEqual(
      minuteBars('MSFT', ny('2026-12-08', 9.5), ny('2026-12-08', 16), Infinity),
    )
  })
})

describe('speed of quiet periods', () => {
  it('finds the last trade across a long holiday weekend quickly', () => {
    const start = performance.now()
    for (const ticker of ['KO', 'PEP', 'XOM', 'CVX', 'WMT']) snapshotAt(ticker, ny('2026-12-28', 3.5))
    expect(performance.now() - start).toBeLessThan(200)
  })
})
