/** Pure bar math: build bars from trades or smaller bars, aggregate base bars into larger buckets, upsert by time. */

import type { Bar, BaseTimespan, Timespan } from './market-types.ts'
import { bucketStart, nextBucketStart } from './market-time.ts'

/**
 * Rounding rule: prices (o, h, l, c) are never rounded here, they are copied from their inputs;
 * the volume-weighted price `vw` is the only computed price and is rounded to 4 decimals.
 */
export function roundTo4(x: number): number {
  return Math.round(x * 10_000) / 10_000
}

/** The base timespan a timespan is aggregated from: minute for minute/hour, day for day/week/month. */
export function baseTimespanFor(timespan: Timespan): BaseTimespan {
  return timespan === 'minute' || timespan === 'hour' ? 'minute' : 'day'
}

/**
 * A bar being built. `pv` is the running sum of price × volume (of trades, or of vw × v of
 * bars), added in time order, so every path that feeds the same inputs in the same order gets
 * bit-identical bars (history, live and aggregation share this code). Mutated in place for speed;
 * it never escapes its owner.
 */
export interface BarAccumulator {
  t: number
  o: number
  h: number
  l: number
  c: number
  v: number
  n: number
  pv: number
}

/** An empty accumulator for the window starting at t (n = 0 until something is added). */
export function openAccumulator(t: number): BarAccumulator {
  return { t, o: 0, h: 0, l: 0, c: 0, v: 0, n: 0, pv: 0 }
}

/** Add one trade (price, size) to the accumulator; trades must arrive in time order. */
export function accumulateTrade(acc: BarAccumulator, price: number, size: number): void {
  if (acc.n === 0) {
    acc.o = acc.h = acc.l = price
  } else {
    if (price > acc.h) acc.h = price
    if (price < acc.l) acc.l = price
  }
  acc.c = price
  acc.v += size
  acc.n += 1
  acc.pv += price * size
}

/**
 * Add one trade under its update rules (core/trade-conditions.ts): prices only where the rules
 * allow (high/low, open/close), volume where it counts. A bar whose trades set no price has
 * volume but no OHLC (`o` stays 0): accumulatorToBar gives no bar for it, as the provider does.
 */
export function accumulateRuledTrade(
  acc: BarAccumulator,
  price: number,
  size: number,
  rules: { highLow: boolean; openClose: boolean; volume: boolean },
): void {
  if (rules.highLow || rules.openClose) {
    const first = acc.o === 0 && acc.h === 0
    if (first) {
      // The first price of the window opens it only when the print may set the open.
      acc.o = rules.openClose ? price : 0
      acc.h = acc.l = price
    } else {
      if (acc.o === 0 && rules.openClose) acc.o = price
      if (rules.highLow) {
        if (price > acc.h) acc.h = price
        if (price < acc.l) acc.l = price
      }
    }
    if (rules.openClose) acc.c = price
  }
  if (rules.volume) {
    acc.v += size
    acc.n += 1
    acc.pv += price * size
  }
}

/** Add one smaller bar to the accumulator; bars must arrive in time order. */
export function accumulateBar(acc: BarAccumulator, bar: Bar): void {
  if (acc.n === 0) {
    acc.o = bar.o
    acc.h = bar.h
    acc.l = bar.l
  } else {
    if (bar.h > acc.h) acc.h = bar.h
    if (bar.l < acc.l) acc.l = bar.l
  }
  acc.c = bar.c
  acc.v += bar.v
  acc.n += bar.n
  acc.pv += bar.vw * bar.v
}

/** The bar an accumulator describes, or null when nothing was added (no bar for an empty window). */
export function accumulatorToBar(acc: BarAccumulator): Bar | null {
  // No price set (nothing added, or only prints that may not set prices): no bar for the window.
  if (acc.c === 0) return null
  const vw = acc.v > 0 ? roundTo4(acc.pv / acc.v) : acc.c
  return { t: acc.t, o: acc.o, h: acc.h, l: acc.l, c: acc.c, v: acc.v, vw, n: acc.n }
}

/**
 * Aggregate ascending base bars into `multiplier` × `timespan` buckets (alignment from
 * core/market-time.ts). o = first o, c = last c, h = max, l = min, v and n = sums,
 * vw = volume-weighted mean of vw rounded to 4 decimals. Buckets without base bars produce no
 * bar. Throws RangeError when the input is not strictly ascending by t.
 */
export function aggregateBars(baseBars: readonly Bar[], timespan: Timespan, multiplier: number): Bar[] {
  const out: Bar[] = []
  let acc: BarAccumulator | null = null
  let bucketEnd = -Infinity
  let lastT = -Infinity
  for (const bar of baseBars) {
    if (!(bar.t > lastT)) throw new RangeError(`aggregateBars: input not strictly ascending at t=${bar.t}`)
    lastT = bar.t
    if (bar.t >= bucketEnd) {
      if (acc) pushBar(out, acc)
      const start = bucketStart(timespan, multiplier, bar.t)
      bucketEnd = nextBucketStart(timespan, multiplier, start)
      acc = openAccumulator(start)
    }
    accumulateBar(acc!, bar)
  }
  if (acc) pushBar(out, acc)
  return out
}

function pushBar(out: Bar[], acc: BarAccumulator): void {
  const bar = accumulatorToBar(acc)
  if (bar) out.push(bar)
}

/**
 * Combine two bars of the same window, `earlier` covering the trades before `later`'s
 * (e.g. a stored partial minute and the rest of it). Keeps earlier.t.
 */
export function mergeBars(earlier: Bar, later: Bar): Bar {
  const acc = openAccumulator(earlier.t)
  accumulateBar(acc, earlier)
  accumulateBar(acc, later)
  return accumulatorToBar(acc)!
}

/** A new ascending array with `bar` inserted, or replacing the bar with the same t. */
export function upsertBar(bars: readonly Bar[], bar: Bar): Bar[] {
  let lo = 0
  let hi = bars.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (bars[mid].t < bar.t) lo = mid + 1
    else hi = mid
  }
  const out = bars.slice()
  if (lo < bars.length && bars[lo].t === bar.t) out[lo] = bar
  else out.splice(lo, 0, bar)
  return out
}
