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
