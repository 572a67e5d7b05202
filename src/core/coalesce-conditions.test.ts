/** The live pipeline under trade conditions: last price, live minute bar, day and trade window move only as each print's rules allow. */
import { describe, expect, it } from 'bun:test'
import { applySeed, applyTrade, createSymbolState, dayBarOf, drain, type BarData, type TradeData } from './coalesce'
import type { Trade } from './market-types'
import { Condition } from './trade-conditions'

// Monday 2026-11-30: regular session 14:30–21:00 UTC (09:30–16:00 New York, EST).
const OPEN = Date.UTC(2026, 10, 30, 14, 30)
const PRE = Date.UTC(2026, 10, 30, 13, 0) // 08:00 New York
const trade = (t: number, p: number, s: number, c?: number[]): Trade => ({ symbol: 'X', p, s, t, q: t, ...(c ? { c } : {}) })
const liveOf = (out: ReturnType<typeof drain>) => out.find((o) => o.type === 'bar')?.data as BarData | undefined
const windowOf = (out: ReturnType<typeof drain>) => out.find((o) => o.type === 'trade')?.data as TradeData | undefined

function seeded() {
  const s = createSymbolState()
  applySeed(s, { ticker: 'X', last: 100, prevClose: 100, change: 0, changePct: 0, updatedAt: OPEN - 1 }, OPEN - 1)
  drain(s)
  return s
}

describe('applyTrade under sale conditions', () => {
  it('counts an odd lot and an average-price print in volume only: last, live high/low/close and the snapshot stay', () => {
    const s = seeded()
    applyTrade(s, trade(OPEN + 1_000, 100, 100))
    applyTrade(s, trade(OPEN + 2_000, 130, 7, [Condition.OddLot]))
    applyTrade(s, trade(OPEN + 3_000, 70, 5_000, [Condition.AveragePrice]))
    const out = drain(s)
    expect(liveOf(out)).toMatchObject({ o: 100, h: 100, l: 100, c: 100, v: 5_107, n: 3 })
    expect(windowOf(out)).toEqual({ p: 100, s: 100, t: OPEN + 1_000, count: 3, volume: 5_107 })
    expect(out.find((o) => o.type === 'snapshot')!.data).toMatchObject({ last: 100, updated_at: OPEN + 1_000 })
    expect(dayBarOf(s)).toMatchObject({ o: 100, h: 100, l: 100, c: 100, v: 5_107 })
  })

  it('lets an out-of-sequence print (32) move high/low but not the close or the last price', () => {
    const s = seeded()
    applyTrade(s, trade(OPEN + 1_000, 100, 100))
    applyTrade(s, trade(OPEN + 2_000, 95, 100, [Condition.SoldOutOfSequence]))
    const out = drain(s)
    expect(liveOf(out)).toMatchObject({ o: 100, h: 100, l: 95, c: 100, v: 200 })
    expect(s.last).toBe(100)
    expect(dayBarOf(s)).toMatchObject({ o: 100, l: 95, c: 100 })
  })

  it('sends no live bar for a minute whose prints set no price; the next trade window counts their volume', () => {
    const s = seeded()
    applyTrade(s, trade(OPEN + 1_000, 100, 100))
    drain(s)
    applyTrade(s, trade(OPEN + 61_000, 101, 3, [Condition.OddLot]))
    applyTrade(s, trade(OPEN + 62_000, 99, 4, [Condition.OddLot, Condition.IntermarketSweep]))
    expect(drain(s).filter((o) => o.type !== 'snapshot')).toEqual([])
    expect(s.live).toMatchObject({ t: OPEN + 60_000, v: 7, c: 0 })
    expect(dayBarOf(s)).toMatchObject({ c: 100, v: 107 })
    applyTrade(s, trade(OPEN + 63_000, 100.5, 200))
    const out = drain(s)
    expect(windowOf(out)).toEqual({ p: 100.5, s: 200, t: OPEN + 63_000, count: 3, volume: 207 })
    expect(liveOf(out)).toMatchObject({ o: 100.5, h: 100.5, l: 100.5, c: 100.5, v: 207, n: 3 })
  })

  it('takes Form T prices into extended-hours minute bars and the last price, not into the day; volume into both', () => {
    const s = createSymbolState()
    applyTrade(s, trade(PRE + 1_000, 50, 200, [Condition.FormT]))
    applyTrade(s, trade(PRE + 2_000, 55, 10, [Condition.FormT, Condition.OddLot]))
    const out = drain(s)
    expect(liveOf(out)).toMatchObject({ t: PRE, o: 50, h: 50, l: 50, c: 50, v: 210, n: 2 })
    expect(s.last).toBe(50)
    expect(dayBarOf(s)).toBeNull() // no regular-session price yet
    expect(s.day!.v).toBe(210)
    applyTrade(s, trade(OPEN + 1_000, 52, 100))
    expect(dayBarOf(s)).toMatchObject({ o: 52, h: 52, l: 52, c: 52, v: 310 })
  })

  it('ignores the official open/close markers (15/16: no price, no volume)', () => {
    const s = seeded()
    applyTrade(s, trade(OPEN + 1_000, 100, 100))
    drain(s)
    applyTrade(s, trade(OPEN + 2_000, 90, 1_000_000, [Condition.OfficialOpen]))
    expect(drain(s).filter((o) => o.type !== 'snapshot')).toEqual([])
    expect(dayBarOf(s)).toMatchObject({ l: 100, v: 100 })
  })

  it('treats a trade without conditions or with an empty list as a regular sale', () => {
    const s = seeded()
    applyTrade(s, trade(OPEN + 1_000, 100, 100, []))
    applyTrade(s, trade(OPEN + 2_000, 101, 100))
    expect(liveOf(drain(s))).toMatchObject({ o: 100, h: 101, l: 100, c: 101, v: 200, n: 2 })
  })
})
