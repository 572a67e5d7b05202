/** Per-symbol coalescing: applies trades and minute bars in order, keeps the last trade, the live minute bar and day stats, and yields at most one message per kind per flush. */
import { accumulatorToBar, openAccumulator, type BarAccumulator } from './bars'
import { scheduleOfIndex } from './calendar'
import { MINUTE_MS, nyDayIndex, nyDayStartOfIndex } from './market-time'
import type { Bar, LiveBar, Trade, UpstreamSnapshot } from './market-types'
import { snapshotFigures } from './snapshot-figures'
import { dayFiguresOf, holdForSeed, seedDayFigures, type DayFigures } from './day-figures'
import { keepFirstMinute } from './first-minute'
import { createQuoteState, seedQuote, snapshotQuoteFields, takeQuote, type QuoteData, type QuoteState, type SnapshotQuoteFields } from './quote-state'
import { accumulateDayTrade, accumulateMinuteTrade, eligibilityOf, minuteRules, stockSaleConditions, type ConditionTable, type Eligibility } from './trade-conditions'

/** 'live' = built from trades while the minute forms; 'final' = the provider's closed bar; 'correction' = a re-send of a final window. */
export type BarState = 'live' | 'final' | 'correction'

/** The last trade of a flush window plus the window's trade count and volume. */
export interface TradeData {
  p: number
  s: number
  t: number
  count: number
  volume: number
}
export interface BarData extends Bar {
  state: BarState
  /** Provider bars only: 0 for the first version of the window, +1 for each correction (a conflated one is skipped). */
  revision?: number
}
export interface SnapshotData extends SnapshotQuoteFields {
  last: number
  change: number
  change_pct: number
  prev_close: number
  updated_at: number
  /** The day so far (regular-session prices, the whole day's volume), once the stream knows all of it. */
  day?: DayFigures
}

export type Outgoing =
  | { type: 'trade'; eventTs: number; data: TradeData }
  | { type: 'bar'; eventTs: number; data: BarData }
  | { type: 'snapshot'; eventTs: number; data: SnapshotData }
  | { type: 'quote'; eventTs: number; data: QuoteData }

/** How many recently finalised minutes are remembered to tell a final from a correction. */
const finalizedMemory = 64

/** The regular session of a NY day as [open, close) UTC ms, or null when the market does not open that day. */
export type RegularSessionOf = (dayIndex: number) => [open: number, close: number] | null

/** By the exchange calendar (09:30 to the day's close in New York). */
export const calendarRegularSession: RegularSessionOf = (dayIndex) => {
  const sched = scheduleOfIndex(dayIndex)
  return sched && [sched.open, sched.close]
}

/** Around the clock (the simulated market with SIMULATED_MARKET_HOURS=always): the whole New York day. */
export const allDayRegularSession: RegularSessionOf = (dayIndex) => [nyDayStartOfIndex(dayIndex), nyDayStartOfIndex(dayIndex + 1)]

/** Everything a SymbolActor knows about its symbol. Owned and mutated by one actor only. */
export interface SymbolState {
  prevClose: number | null
  last: number | null
  /** Time of the last trade (snapshot `updated_at`). */
  lastTradeT: number
  /** NY day of `last`; a trade on a later day rolls prevClose over to that day's regularLast. */
  dayIndex: number | null
  /** Price of the last regular-session trade of `dayIndex` (null: none yet): the next day's previous close. */
  regularLast: number | null
  /** Regular session [open, close) of `dayIndex` (UTC ms), null on a day the market does not open; cached per day. */
  regular: { dayIndex: number; hours: [open: number, close: number] | null } | null
  /** Where a day's regular session lies (the calendar, or the whole day around the clock). */
  regularSessionOf: RegularSessionOf
  /** The forming minute, from trades, by the condition rules (no bar while no print set a price). */
  live: BarAccumulator | null
  /**
   * The trades of the first minute the state saw, kept until that minute's earlier trades are
   * seeded (seedMinutePrefix) or the minute passes; `done` once either happened.
   */
  firstMinute: { t: number; trades: Trade[] } | 'done' | null
  /** Sequence number and time of the last seeded trade: the seeded minute skips a trade at or before both (no double counting); reset with the minute. */
  prefixQ: number
  prefixT: number
  /** The day of `dayIndex` from the trades seen, by the condition rules (regular-session prices, the whole day's volume); null before its first trade. */
  day: BarAccumulator | null
  /** True once `day` holds the whole day: seeded from the provider's day, or opened by the stream at the day's start. */
  dayComplete: boolean
  /** Trades of the day seen before the seed arrived (null once it did): those after the seed's last trade are added to its day. */
  heldForSeed: { trade: Trade; e: Eligibility; regular: boolean }[] | null
  /** More trades came before the seed than are held: the seed cannot make the day whole. */
  heldOverflow: boolean
  /** Sale conditions and their update rules (core/trade-conditions.ts; the provider's when read). */
  conditions: ConditionTable
  /** Starts of minutes the provider has closed, oldest first. */
  finalized: number[]
  /** Corrections seen per window, parallel to `finalized`. */
  revisions: number[]
  pendingTrade: TradeData | null
  /** Volume-eligible prints that set no price while no trade window was open: the next window counts them. */
  heldCount: number
  heldVolume: number
  pendingLive: boolean
  /** Final and correction bars not yet sent, one per minute (latest version wins). */
  pendingBars: { eventTs: number; data: BarData }[]
  pendingSnapshot: boolean
  /** The NBBO and the quote message of the flush window (core/quote-state.ts: applyQuote, seedQuote). */
  quotes: QuoteState
}

export function createSymbolState(
  regularSessionOf: RegularSessionOf = calendarRegularSession,
  conditions: ConditionTable = stockSaleConditions,
): SymbolState {
  return {
    prevClose: null,
    last: null,
    lastTradeT: 0,
    dayIndex: null,
    regularLast: null,
    regular: null,
    regularSessionOf,
    live: null,
    firstMinute: null,
    prefixQ: -Infinity,
    prefixT: -Infinity,
    day: null,
    dayComplete: false,
    heldForSeed: [],
    heldOverflow: false,
    conditions,
    finalized: [],
    revisions: [],
    pendingTrade: null,
    heldCount: 0,
    heldVolume: 0,
    pendingLive: false,
    pendingBars: [],
    pendingSnapshot: false,
    quotes: createQuoteState(),
  }
}

/** The regular session of a NY day, cached in the state for the day. */
function regularHoursOf(s: SymbolState, dayIndex: number): [number, number] | null {
  if (s.regular === null || s.regular.dayIndex !== dayIndex) s.regular = { dayIndex, hours: s.regularSessionOf(dayIndex) }
  return s.regular.hours
}

/** True when `t` falls in the regular session of its NY day `dayIndex`. */
export function inRegularSession(s: SymbolState, dayIndex: number, t: number): boolean {
  const hours = regularHoursOf(s, dayIndex)
  return hours !== null && t >= hours[0] && t < hours[1]
}

/** Moves to a later NY day: the day's last regular-session price becomes the previous close (kept when it had none). */
function rollDay(s: SymbolState, day: number): void {
  if (s.dayIndex !== null && s.regularLast !== null) s.prevClose = s.regularLast
  // A day the stream rolls into is seen from its first trade on.
  s.dayComplete = s.dayIndex !== null
  // Volume-only prints of the day before do not ride with the new day's first trade message.
  s.heldCount = s.heldVolume = 0
  s.regularLast = null
  s.dayIndex = day
  s.day = null
}

/** Sets the day statistics from a provider snapshot taken at `asOf` (prev close; last until a trade arrives). */
export function applySeed(s: SymbolState, snap: UpstreamSnapshot, asOf: number): void {
  const seedDay = nyDayIndex(asOf)
  if (s.dayIndex === null || seedDay >= s.dayIndex) {
    s.prevClose = snap.prevClose
    if (s.dayIndex !== seedDay) s.regularLast = null
    s.dayIndex = seedDay
    if (s.last === null) {
      s.last = snap.last
      s.lastTradeT = snap.updatedAt
    }
    // What the seed says the day's regular session has traded so far: its last price when that
    // was a regular trade; after the close, the provider's day close (daily OHLC is regular-hours).
    const hours = regularHoursOf(s, seedDay)
    if (s.regularLast === null && hours !== null) {
      if (nyDayIndex(snap.updatedAt) === seedDay && inRegularSession(s, seedDay, snap.updatedAt)) s.regularLast = snap.last
      else if (asOf >= hours[1] && snap.day !== undefined && snap.day.c > 0) s.regularLast = snap.day.c
    }
  } else {
    // Trades have already moved to a later day: the seed's last price closed the day before.
    s.prevClose = snap.last
  }
  seedDayFigures(s, snap, seedDay, Math.max(snap.updatedAt, asOf))
  seedQuote(s.quotes, snap.lastQuote)
  s.pendingSnapshot = s.last !== null
}

/**
 * Applies one trade in provider order, as its sale conditions allow (core/trade-conditions.ts):
 * the last price moves only on a print that may set its minute's close (odd lots, average-price
 * and out-of-sequence prints do not; Form T does in extended hours, as it does for minute bars),
 * the live minute and the day by the same rules the final bars are built with. The trade window
 * is the last price-setting print, with the count and volume of the volume-eligible prints since
 * the previous window (a window of prints that set no price waits for one that does). A trade
 * without conditions is a regular sale: it does everything.
 */
export function applyTrade(s: SymbolState, trade: Trade): void {
  const day = nyDayIndex(trade.t)
  if (s.dayIndex === null || day > s.dayIndex) rollDay(s, day)
  const regular = inRegularSession(s, day, trade.t)
  const e = eligibilityOf(trade.c, s.conditions)
  const setsLast = minuteRules(e, !regular).openClose
  const volume = e.price.volume ? trade.s : 0
  const minute = Math.floor(trade.t / MINUTE_MS) * MINUTE_MS
  if (day === s.dayIndex) {
    if (regular && e.price.openClose) s.regularLast = trade.p
    s.day ??= openAccumulator(nyDayStartOfIndex(day))
    accumulateDayTrade(s.day, trade.p, trade.s, e, regular)
    holdForSeed(s, trade, e, regular)
  }
  const w = s.pendingTrade
  if (setsLast) {
    s.last = trade.p
    s.lastTradeT = trade.t
    if (w === null) {
      s.pendingTrade = { p: trade.p, s: trade.s, t: trade.t, count: 1 + s.heldCount, volume: volume + s.heldVolume }
      s.heldCount = s.heldVolume = 0
    } else {
      w.p = trade.p
      w.s = trade.s
      w.t = trade.t
      w.count += 1
      w.volume += volume
    }
  } else if (e.price.volume) {
    if (w !== null) {
      w.count += 1
      w.volume += volume
    } else {
      s.heldCount += 1
      s.heldVolume += volume
    }
  }
  if (!s.finalized.includes(minute)) {
    if (s.live === null || minute > s.live.t) {
      s.live = openAccumulator(minute)
      s.prefixQ = s.prefixT = -Infinity
    }
    if (minute === s.live.t && (trade.q > s.prefixQ || trade.t > s.prefixT)) {
      if (accumulateMinuteTrade(s.live, trade.p, trade.s, e, regular)) s.pendingLive = true
    }
  }
  keepFirstMinute(s, minute, trade)
  if (s.prevClose !== null && setsLast) s.pendingSnapshot = true
}

/** The day so far as the trades seen give it (all of it when the state saw the day from its start), or null without a regular-session price yet. */
export function dayBarOf(s: SymbolState): Bar | null {
  return s.day && accumulatorToBar(s.day)
}

/** Applies a provider minute bar: the first one for a window is 'final', later ones are 'correction'. */
export function applyMinuteBar(s: SymbolState, bar: LiveBar): void {
  const seen = s.finalized.indexOf(bar.t)
  const isNew = seen < 0
  if (isNew) {
    s.finalized.push(bar.t)
    s.revisions.push(0)
    if (s.finalized.length > finalizedMemory) {
      s.finalized.shift()
      s.revisions.shift()
    }
  } else s.revisions[seen]! += 1
  const revision = isNew ? 0 : s.revisions[seen]!
  if (s.live !== null && s.live.t <= bar.t) {
    // The provider's bar supersedes what trades built for that window.
    s.live = null
    s.pendingLive = false
  }
  const data: BarData = {
    t: bar.t,
    o: bar.o,
    h: bar.h,
    l: bar.l,
    c: bar.c,
    v: bar.v,
    vw: bar.vw,
    n: bar.n,
    state: isNew ? 'final' : 'correction',
    revision,
  }
  const pending = s.pendingBars.find((p) => p.data.t === bar.t)
  if (pending === undefined) s.pendingBars.push({ eventTs: bar.e, data })
  else {
    // A final still unsent stays 'final', carrying the latest values.
    pending.data = { ...data, state: pending.data.state === 'final' ? 'final' : data.state }
    pending.eventTs = bar.e
  }
}

export { forgetDayFigures, seedMissing, type DayFigures } from './day-figures'
export { seedMinutePrefix } from './first-minute'

/** The snapshot the state describes, or null before prev close and a price are known. */
export function snapshotOf(s: SymbolState): SnapshotData | null {
  if (s.prevClose === null || s.last === null) return null
  const { change, changePct } = snapshotFigures(s.last, s.prevClose)
  return {
    last: s.last,
    change,
    change_pct: changePct,
    prev_close: s.prevClose,
    updated_at: s.lastTradeT,
    ...snapshotQuoteFields(s.quotes.nbbo),
    ...dayFiguresOf(s),
  }
}


/** The live bar being formed, or null. */
export function liveBarOf(s: SymbolState): BarData | null {
  const bar = s.live && accumulatorToBar(s.live)
  return bar ? { ...bar, state: 'live' } : null
}

/**
 * What a flush sends: 'all', or 'events' — closed bars and the trade window only, while the
 * derived state (live bar, snapshot; latest value wins) waits for its own window.
 */
export type DrainScope = 'all' | 'events'

/** True when drain(s, scope) would return something. */
export function hasPending(s: SymbolState, scope: DrainScope = 'all'): boolean {
  if (s.pendingTrade !== null || s.pendingBars.length > 0 || s.quotes.pending !== null) return true
  return scope === 'all' && (s.pendingLive || s.pendingSnapshot)
}

/** True when the derived state (live bar or snapshot) waits to be sent. */
export function hasPendingDerived(s: SymbolState): boolean {
  return s.pendingLive || s.pendingSnapshot
}

/**
 * Everything pending in `scope`, at most one message per kind (each closed minute's bar is its
 * own message): closed bars first, then the live bar, the trade window, the quote (the window's
 * latest NBBO: an event, sent with trades) and the snapshot.
 */
export function drain(s: SymbolState, scope: DrainScope = 'all'): Outgoing[] {
  const out: Outgoing[] = []
  for (const b of s.pendingBars) out.push({ type: 'bar', eventTs: b.eventTs, data: b.data })
  s.pendingBars = []
  const derived = scope === 'all'
  if (derived && s.pendingLive) {
    const live = liveBarOf(s)
    if (live) out.push({ type: 'bar', eventTs: s.lastTradeT, data: live })
    s.pendingLive = false
  }
  if (s.pendingTrade !== null) {
    out.push({ type: 'trade', eventTs: s.pendingTrade.t, data: s.pendingTrade })
    s.pendingTrade = null
  }
  const quote = takeQuote(s.quotes)
  if (quote !== null) out.push({ type: 'quote', eventTs: quote.t, data: quote })
  if (derived && s.pendingSnapshot) {
    const snap = snapshotOf(s)
    if (snap) out.push({ type: 'snapshot', eventTs: snap.updated_at, data: snap })
    s.pendingSnapshot = false
  }
  return out
}
