/** A symbol's day figures on the stream: seeded from the provider's day with the trades after it, none twice, and withheld while only part of the day is known. */
import { accumulatorToBar, openAccumulator } from './bars'
import type { SymbolState } from './coalesce'
import { nyDayIndex, nyDayStartOfIndex } from './market-time'
import type { Trade, UpstreamSnapshot } from './market-types'
import { accumulateDayTrade, type Eligibility } from './trade-conditions'

/** A day's figures as snapshots carry them. */
export interface DayFigures {
  open: number
  high: number
  low: number
  volume: number
  vwap: number
}

/** Trades held until the seed arrives (its day figures may already count some of them); beyond this many, none is held. */
const heldForSeedMax = 10_000

/** While the seed is awaited, keeps the day's trades it may not count yet; beyond heldForSeedMax, none (the seed then cannot make the day whole). */
export function holdForSeed(s: SymbolState, trade: Trade, e: Eligibility, regular: boolean): void {
  if (s.heldForSeed === null) return
  if (s.heldForSeed.length < heldForSeedMax) s.heldForSeed.push({ trade, e, regular })
  else {
    s.heldForSeed = null
    s.heldOverflow = true
  }
}

/**
 * The provider's day so far replaces what the stream tallied, plus the held trades after `through`
 * (when the snapshot was asked for: its day counts every print until then, odd lots included).
 */
export function seedDayFigures(s: SymbolState, snap: UpstreamSnapshot, seedDay: number, through: number): void {
  const held = s.heldForSeed
  const overflow = s.heldOverflow
  s.heldForSeed = null
  s.heldOverflow = false
  // Before the provider clears it (03:30 New York), a snapshot's day is the session that closed: only a day whose last trade is today seeds.
  if (snap.day === undefined || s.dayIndex !== seedDay || s.dayComplete || overflow || nyDayIndex(snap.updatedAt) !== seedDay) return
  const d = snap.day
  const acc = openAccumulator(nyDayStartOfIndex(seedDay))
  Object.assign(acc, { o: d.o, h: d.h, l: d.l, c: d.c, v: d.v, n: 1, pv: (d.vw ?? d.c) * d.v })
  for (const h of held ?? []) if (h.trade.t > through) accumulateDayTrade(acc, h.trade.p, h.trade.s, h.e, h.regular)
  s.day = acc
  s.dayComplete = true
}

/** Applies a failed or empty seed: the held trades are already in the day; nothing more is held. */
export function seedMissing(s: SymbolState): void {
  s.heldForSeed = null
  s.heldOverflow = false
}

/** Trades were or may be missed (a gap in the feed): no day figures until a new seed, whose wait holds trades again. */
export function forgetDayFigures(s: SymbolState): void {
  s.dayComplete = false
  s.heldForSeed = []
  s.heldOverflow = false
}

/** `{day}` when the stream knows the whole day and it has a regular-session price; `{}` otherwise. */
export function dayFiguresOf(s: SymbolState): { day?: DayFigures } {
  const bar = s.dayComplete && s.day ? accumulatorToBar(s.day) : null
  return bar ? { day: { open: bar.o, high: bar.h, low: bar.l, volume: bar.v, vwap: bar.vw } } : {}
}
