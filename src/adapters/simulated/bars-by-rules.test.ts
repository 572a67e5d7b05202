/** The simulated market's final bars against an independent aggregation of its trades by the provider's rules (market-rules.md §3.2–3.3, written out here, not core's code). */
import { describe, expect, it } from 'bun:test'
import { DAY_MS, dayIndexOfDate, nyDayStartOfIndex } from '../../core/market-time.ts'
import type { Bar, Trade } from '../../core/market-types.ts'
import { scheduleOfIndex } from '../../core/calendar.ts'
import { dayBars, minuteBars, tradesBetween } from './market.ts'

/** [updates_high_low, updates_open_close, updates_volume] of the conditions the simulated market prints (market-rules.md §3.2). */
const RULES: Record<number, [boolean, boolean, boolean]> = {
  2: [false, false, true],
  8: [true, true, true],
  12: [false, false, true],
  13: [false, false, true],
  14: [true, true, true],
  15: [false, false, false],
  16: [false, false, false],
  25: [true, true, true],
  32: [true, false, true],
  37: [false, false, true],
}

/** What a print may do: every condition must allow it (§3.3.1); Form T's price flags do not count in extended-hours minute bars (§3.3.2). */
function may(trade: Trade, formTException: boolean): { hl: boolean; oc: boolean; v: boolean } {
  let hl = true
  let oc = true
  let v = true
  for (const id of trade.c ?? []) {
    const rule = RULES[id]
    if (rule === undefined) throw new Error(`the simulated market printed an unexpected condition ${id}`)
    if (!(formTException && id === 12)) {
      hl &&= rule[0]
      oc &&= rule[1]
    }
    v &&= rule[2]
  }
  return { hl, oc, v }
}

/** A bar from prints: open/close from the first/last open-close print, high/low over every price-setting print, volume and count over volume prints; none without an open-close print. */
function aggregate(t: number, prints: { p: number; s: number; hl: boolean; oc: boolean; v: boolean }[]): Bar | null {
  const oc = prints.filter((x) => x.oc)
  if (oc.length === 0) return null
  const priced = prints.filter((x) => x.oc || x.hl).map((x) => x.p)
  const vol = prints.filter((x) => x.v)
  const v = vol.reduce((sum, x) => sum + x.s, 0)
  let pv = 0
  for (const x of vol) pv += x.p * x.s
  return {
    t,
    o: oc[0].p,
    h: Math.max(...priced),
    l: Math.min(...priced),
    c: oc.at(-1)!.p,
    v,
    vw: v > 0 ? Math.round((pv / v) * 10_000) / 10_000 : oc.at(-1)!.p,
    n: vol.length,
  }
}

describe('simulated bars by the provider rules, aggregated independently', () => {
  for (const date of ['2026-11-30', '2026-11-27']) {
    it(`${date}: minute bars and the day bar of MSFT equal the aggregation of its trades`, () => {
      const dayStart = nyDayStartOfIndex(dayIndexOfDate(date))
      const sched = scheduleOfIndex(dayIndexOfDate(date))!
      const trades = tradesBetween('MSFT', dayStart, dayStart + DAY_MS)
      const regular = (t: number) => t >= sched.open && t < sched.close
      const byMinute = new Map<number, Trade[]>()
      for (const trade of trades) {
        const m = trade.t - (trade.t % 60_000)
        byMinute.set(m, [...(byMinute.get(m) ?? []), trade])
      }
      const expected = [...byMinute]
        .map(([m, ts]) => aggregate(m, ts.map((x) => ({ p: x.p, s: x.s, ...may(x, !regular(m)) }))))
        .filter((b): b is Bar => b !== null)
      expect(minuteBars('MSFT', dayStart, dayStart + DAY_MS, Infinity)).toEqual(expected)
      // Minutes with prints but no bar (odd lots only, out-of-sequence only) exist, as at the provider.
      expect(byMinute.size).toBeGreaterThan(expected.length)
      const day = aggregate(
        dayStart,
        trades.map((x) => {
          const m = may(x, false)
          return { p: x.p, s: x.s, hl: m.hl && regular(x.t), oc: m.oc && regular(x.t), v: m.v }
        }),
      )
      expect(dayBars('MSFT', dayStart, dayStart + 1, Infinity)).toEqual([day!])
    })
  }
})
