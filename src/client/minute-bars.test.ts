/** Tests of the minute-bar merge rules: versions, finals, corrections, coalesced trades and REST windows. */
import { describe, expect, it } from 'bun:test'
import { applyTrade, mergeStreamBar, replaceFrom, toMinuteBar, type MinuteBar } from './minute-bars'
import type { BarData, WireBar } from './wire'

const T0 = Date.UTC(2026, 10, 20, 15, 0)
const M = 60_000
const bar = (t: number, c: number, n: number, extra: Partial<WireBar> = {}): WireBar => ({
  t,
  o: 100,
  h: Math.max(100, c),
  l: Math.min(100, c),
  c,
  v: n * 10,
  vw: 100,
  n,
  ...extra,
})
const data = (b: WireBar, state: BarData['state']): BarData => ({ ...b, state })

describe('mergeStreamBar', () => {
  it('should insert in time order and overwrite the same t', () => {
    let bars: readonly MinuteBar[] = []
    bars = mergeStreamBar(bars, data(bar(T0 + M, 101, 3), 'live'), T0 + M + 5)
    bars = mergeStreamBar(bars, data(bar(T0, 99, 2), 'final'), T0 + M)
    bars = mergeStreamBar(bars, data(bar(T0 + M, 102, 4), 'live'), T0 + M + 9)
    expect(bars.map((b) => [b.t, b.c, b.origin])).toEqual([
      [T0, 99, 'final'],
      [T0 + M, 102, 'live'],
    ])
  })

  it('should let a final overwrite a live bar, and never a live bar a final', () => {
    let bars = mergeStreamBar([], data(bar(T0, 101, 5), 'live'), T0 + 30_000)
    bars = mergeStreamBar(bars, data(bar(T0, 103, 6), 'final'), T0 + M)
    bars = mergeStreamBar(bars, data(bar(T0, 105, 9), 'live'), T0 + M + 1)
    expect(bars[0]).toMatchObject({ c: 103, n: 6, origin: 'final' })
  })

  it('should let a correction overwrite a final even with smaller values', () => {
    let bars = mergeStreamBar([], data(bar(T0, 103, 6), 'final'), T0 + M)
    bars = mergeStreamBar(bars, data(bar(T0, 98, 4, { v: 7 }), 'correction'), T0 + 5 * M)
    expect(bars[0]).toMatchObject({ c: 98, n: 4, v: 7, origin: 'correction' })
  })

  it('should apply corrections in revision order and ignore an older revision arriving late', () => {
    let bars = mergeStreamBar([], { ...data(bar(T0, 103, 6), 'final'), revision: 0 }, T0 + M)
    bars = mergeStreamBar(bars, { ...data(bar(T0, 104, 7), 'correction'), revision: 2 }, T0 + 3 * M)
    const late = mergeStreamBar(bars, { ...data(bar(T0, 99, 5), 'correction'), revision: 1 }, T0 + 2 * M)
    expect(late).toBe(bars)
    expect(bars[0]).toMatchObject({ c: 104, revision: 2, origin: 'correction' })
  })

  it('should ignore a live bar that counts fewer trades than the REST or live version it would replace', () => {
    const rest = [toMinuteBar(bar(T0, 101, 8), T0 + 40_000)]
    expect(mergeStreamBar(rest, data(bar(T0, 100, 5), 'live'), T0 + 20_000)).toBe(rest)
    const newer = mergeStreamBar(rest, data(bar(T0, 102, 9), 'live'), T0 + 45_000)
    expect(newer[0]).toMatchObject({ c: 102, n: 9, origin: 'live' })
  })
})

describe('applyTrade', () => {
  const trade = (t: number, p: number, count = 1, volume = 10) => ({ p, s: volume, t, count, volume })

  it('should skip a trade the live bar already includes', () => {
    const bars = mergeStreamBar([], data(bar(T0, 101, 5), 'live'), T0 + 30_000)
    expect(applyTrade(bars, trade(T0 + 30_000, 150))).toBe(bars)
  })

  it('should update close, high, low, volume and count with a newer trade', () => {
    const bars = mergeStreamBar([], data(bar(T0, 101, 5), 'live'), T0 + 30_000)
    const next = applyTrade(bars, trade(T0 + 31_000, 110, 2, 20))
    expect(next[0]).toMatchObject({ o: 100, h: 110, l: 100, c: 110, v: 70, n: 7, asOf: T0 + 31_000 })
  })

  it('should never touch a final bar', () => {
    const bars = mergeStreamBar([], data(bar(T0, 101, 5), 'final'), T0 + M)
    expect(applyTrade(bars, trade(T0 + 59_999, 150))).toBe(bars)
  })

  it('should open a new minute after the newest bar only', () => {
    const bars = mergeStreamBar([], data(bar(T0 + M, 101, 5), 'live'), T0 + M + 1)
    expect(applyTrade(bars, trade(T0 + 10, 90))).toBe(bars)
    const next = applyTrade(bars, trade(T0 + 2 * M + 10, 104, 3, 30))
    expect(next[1]).toEqual({
      t: T0 + 2 * M,
      o: 104,
      h: 104,
      l: 104,
      c: 104,
      v: 30,
      vw: 104,
      n: 3,
      origin: 'trades',
      asOf: T0 + 2 * M + 10,
    })
  })
})

describe('replaceFrom', () => {
  it('should keep bars before the window and take REST from it, dropping bars REST does not have', () => {
    const bars = [0, 1, 2, 3].map((i) => toMinuteBar(bar(T0 + i * M, 100 + i, 1), 0, 'live'))
    const next = replaceFrom(bars, T0 + 2 * M, [bar(T0 + 3 * M, 120, 2)], 99)
    expect(next.map((b) => [b.t, b.c, b.origin])).toEqual([
      [T0, 100, 'live'],
      [T0 + M, 101, 'live'],
      [T0 + 3 * M, 120, 'rest'],
    ])
  })
})
