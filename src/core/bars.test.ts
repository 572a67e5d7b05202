/** Tests for bar math: aggregation against hand-computed values, accumulators, merge and upsert. */

import { describe, expect, it } from 'bun:test'
import type { Bar } from './market-types.ts'
import {
  accumulateTrade,
  accumulatorToBar,
  aggregateBars,
  baseTimespanFor,
  mergeBars,
  openAccumulator,
  roundTo4,
  upsertBar,
} from './bars.ts'

const utc = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi)
const bar = (t: number, o: number, h: number, l: number, c: number, v: number, vw: number, n: number): Bar => ({
  t,
  o,
  h,
  l,
  c,
  v,
  vw,
  n,
})

describe('baseTimespanFor', () => {
  it('maps minute/hour to minute and day/week/month to day', () => {
    expect(baseTimespanFor('minute')).toBe('minute')
    expect(baseTimespanFor('hour')).toBe('minute')
    expect(baseTimespanFor('day')).toBe('day')
    expect(baseTimespanFor('week')).toBe('day')
    expect(baseTimespanFor('month')).toBe('day')
  })
})

describe('aggregateBars', () => {
  // 2025-01-15 09:30–09:36 EST (14:30 UTC) minute bars.
  const minutes = [
    bar(utc(2025, 1, 15, 14, 30), 10, 10.5, 9.9, 10.2, 100, 10, 3),
    bar(utc(2025, 1, 15, 14, 31), 10.2, 11.2, 10.1, 11, 300, 11, 5),
    bar(utc(2025, 1, 15, 14, 34), 11, 11.1, 9.5, 9.8, 100, 10.3333, 2),
    bar(utc(2025, 1, 15, 14, 36), 9.8, 9.9, 9.7, 9.75, 50, 9.81, 1),
  ]

  it('builds 5-minute bars by hand-computed rules and skips empty buckets', () => {
    expect(aggregateBars(minutes, 'minute', 5)).toEqual([
      // vw = (10×100 + 11×300 + 10.3333×100) / 500 = 5333.33 / 500 = 10.66666
      bar(utc(2025, 1, 15, 14, 30), 10, 11.2, 9.5, 9.8, 500, 10.6667, 10),
      bar(utc(2025, 1, 15, 14, 35), 9.8, 9.9, 9.7, 9.75, 50, 9.81, 1),
    ])
    expect(aggregateBars([minutes[0], minutes[3]], 'minute', 2).map((b) => b.t)).toEqual([
      utc(2025, 1, 15, 14, 30),
      utc(2025, 1, 15, 14, 36),
    ])
  })

  it('puts them in one hourly bar starting at 09:00 NY', () => {
    const [hour] = aggregateBars(minutes, 'hour', 1)
    expect(hour).toEqual(bar(utc(2025, 1, 15, 14), 10, 11.2, 9.5, 9.75, 550, roundTo4(5823.83 / 550), 11))
    expect(hour.vw).toBe(10.5888) // 5823.83 / 550 = 10.58878…
  })

  it('groups day bars into Sunday weeks and calendar months', () => {
    const days = [
      bar(utc(2025, 1, 30, 5), 100, 102, 99, 101, 1000, 100.5, 10), // Thu
      bar(utc(2025, 1, 31, 5), 101, 104, 100, 103, 3000, 102.25, 30), // Fri
      bar(utc(2025, 2, 3, 5), 103, 103, 95, 96, 2000, 98, 20), // Mon
    ]
    expect(aggregateBars(days, 'week', 1)).toEqual([
      bar(utc(2025, 1, 26, 5), 100, 104, 99, 103, 4000, 101.8125, 40),
      bar(utc(2025, 2, 2, 5), 103, 103, 95, 96, 2000, 98, 20),
    ])
    expect(aggregateBars(days, 'month', 1)).toEqual([
      bar(utc(2025, 1, 1, 5), 100, 104, 99, 103, 4000, 101.8125, 40),
      bar(utc(2025, 2, 1, 5), 103, 103, 95, 96, 2000, 98, 20),
    ])
    expect(aggregateBars(days, 'day', 1)).toEqual(days)
  })

  it('is deterministic and returns [] for no input', () => {
    expect(aggregateBars(minutes, 'minute', 3)).toEqual(aggregateBars(minutes, 'minute', 3))
    expect(aggregateBars([], 'hour', 1)).toEqual([])
  })

  it('throws on input that is not strictly ascending', () => {
    expect(() => aggregateBars([minutes[1], minutes[0]], 'minute', 5)).toThrow(RangeError)
    expect(() => aggregateBars([minutes[0], minutes[0]], 'minute', 5)).toThrow(RangeError)
  })
})

describe('trade accumulator', () => {
  it('builds a minute bar from trades with a 4-decimal VWAP', () => {
    const acc = openAccumulator(60_000)
    expect(accumulatorToBar(acc)).toBeNull()
    accumulateTrade(acc, 10.01, 100)
    accumulateTrade(acc, 10.05, 3)
    accumulateTrade(acc, 9.99, 200)
    // vw = (1001 + 30.15 + 1998) / 303 = 3029.15 / 303 = 9.997194…
    expect(accumulatorToBar(acc)).toEqual(bar(60_000, 10.01, 10.05, 9.99, 9.99, 303, 9.9972, 3))
  })
})

describe('mergeBars / upsertBar', () => {
  it('merges a partial bar with its continuation', () => {
    const first = bar(0, 10, 12, 9, 11, 100, 10.5, 2)
    const rest = bar(0, 11, 11.5, 8, 8.5, 300, 9, 4)
    expect(mergeBars(first, rest)).toEqual(bar(0, 10, 12, 8, 8.5, 400, 9.375, 6))
  })

  it('inserts in order or replaces the bar with the same t, without mutating the input', () => {
    const bars = [bar(0, 1, 1, 1, 1, 1, 1, 1), bar(120, 3, 3, 3, 3, 3, 3, 3)]
    const inserted = upsertBar(bars, bar(60, 2, 2, 2, 2, 2, 2, 2))
    expect(inserted.map((b) => b.t)).toEqual([0, 60, 120])
    const replaced = upsertBar(inserted, bar(120, 9, 9, 9, 9, 9, 9, 9))
    expect(replaced.map((b) => b.c)).toEqual([1, 2, 9])
    expect(upsertBar(bars, bar(180, 4, 4, 4, 4, 4, 4, 4)).map((b) => b.t)).toEqual([0, 120, 180])
    expect(bars.map((b) => b.t)).toEqual([0, 120])
  })
})
