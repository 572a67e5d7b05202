/** Stock splits: the provider's split records and the arithmetic of split-adjusted bars (before the execution date, prices ÷ ratio and volume × ratio). */
import type { Bar } from './market-types'
import { DAY_MS, nyDayIndex, nyDayStartOfIndex } from './market-time'

/** One split as the provider lists it (`/stocks/v1/splits`, or the older `/v3/reference/splits`). */
export interface Split {
  ticker: string
  /** YYYY-MM-DD in New York: from this day's pre-market on, all trading is on the new scale. */
  executionDate: string
  /** `splitFrom` shares became `splitTo`: a 4-for-1 split is from 1, to 4; a 1-for-10 reverse split from 10, to 1. */
  splitFrom: number
  splitTo: number
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/

/** True for a YYYY-MM-DD date that exists. */
export function isSplitDate(text: string): boolean {
  const m = datePattern.exec(text)
  if (!m) return false
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]
}

/** 00:00 New York of the execution date, as UTC ms: bars starting before it are on the old scale until adjusted. */
export function splitStartMs(split: Pick<Split, 'executionDate'>): number {
  const m = datePattern.exec(split.executionDate)
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${split.executionDate}`)
  return nyDayStartOfIndex(Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY_MS)
}

/**
 * When a split is in effect for stored history: 04:00 New York of the execution date. The provider
 * re-adjusts its history "overnight" at a time it does not state; by the pre-market it is done.
 */
export function splitEffectiveMs(split: Pick<Split, 'executionDate'>): number {
  return splitStartMs(split) + 4 * 3_600_000
}

/** The New York date (YYYY-MM-DD) of an instant. */
export function nyDateOf(tMs: number): string {
  return new Date(nyDayIndex(tMs) * DAY_MS).toISOString().slice(0, 10)
}

/** Shares after per share before (4 for a 4-for-1 split, 0.1 for a 1-for-10 reverse split). */
export function splitRatio(split: Pick<Split, 'splitFrom' | 'splitTo'>): number {
  return split.splitTo / split.splitFrom
}

/** A bar on a scale `ratio` times finer: prices (o, h, l, c, vw) ÷ ratio, volume × ratio; `n` (trades) is unchanged. */
export function adjustBar<B extends Bar>(bar: B, ratio: number): B {
  if (ratio === 1) return bar
  return { ...bar, o: bar.o / ratio, h: bar.h / ratio, l: bar.l / ratio, c: bar.c / ratio, vw: bar.vw / ratio, v: bar.v * ratio }
}

/** How far from 1 a ratio between a stored bar and the provider's must be to read as a split: corrections move a bar far less. */
const minSplitDistance = 0.2
/** How closely o, h, l, c (and vw) must share one ratio (the provider rounds adjusted prices), and volume follow it inversely. */
const priceTolerance = 0.005
const volumeTolerance = 0.05
/**
 * Shares a bar needs on both scales to be read at all: a thin bar is a print or two, which a
 * correction moves by any ratio (10 to 13 on one share looks like r 0.77), and one false split
 * drops the ticker's whole stored history.
 */
const minVolume = 100

/** True when a and b (both positive) stand in the ratio r within the price tolerance. */
const inRatio = (a: number, b: number, r: number) => a > 0 && b > 0 && Math.abs(a / b / r - 1) <= priceTolerance

/**
 * The ratio r when the provider's bar of a bucket is a stored final bar of the same bucket
 * split-adjusted (o, h, l, c and vw each ÷ r, volume × r, the same trade count, r clearly not 1);
 * null when they agree within a correction's reach or differ in any other way. Bars without a price
 * range (h = l: every print at one price, so one ratio fits all four prices whatever happened) or
 * under minVolume shares on either scale prove nothing and are never read as a split.
 */
export function rescaleBetween(stored: Bar, fresh: Bar): number | null {
  if (!(stored.h > stored.l && fresh.h > fresh.l)) return null
  if (!(stored.v >= minVolume && fresh.v >= minVolume)) return null
  if (!(stored.c > 0 && fresh.c > 0)) return null
  const r = stored.c / fresh.c
  if (!(Math.abs(r - 1) > minSplitDistance)) return null
  const prices = [
    [stored.o, fresh.o],
    [stored.h, fresh.h],
    [stored.l, fresh.l],
  ]
  if (!prices.every(([a, b]) => inRatio(a, b, r))) return null
  if (!(Math.abs(fresh.v / (stored.v * r) - 1) <= volumeTolerance)) return null
  // A split changes no trade count and moves the volume-weighted price with the others (when the provider sends them).
  if (stored.n > 0 && fresh.n > 0 && stored.n !== fresh.n) return null
  if (stored.vw > 0 && fresh.vw > 0 && !inRatio(stored.vw, fresh.vw, r)) return null
  return r
}

/** A ratio as the provider would list its split: the smallest whole from/to within 1 % (4: from 1 to 4; 0.1: from 10 to 1; 1.5: from 2 to 3), else from 1 to the ratio. */
export function splitOfRatio(ratio: number): Pick<Split, 'splitFrom' | 'splitTo'> {
  for (let from = 1; from <= 100; from++) {
    const to = Math.round(ratio * from)
    if (to >= 1 && Math.abs(to / from / ratio - 1) <= 0.01) return { splitFrom: from, splitTo: to }
  }
  return { splitFrom: 1, splitTo: ratio }
}
