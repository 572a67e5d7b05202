/** Per-symbol coalescing: applies trades and minute bars in order, keeps the last trade, the live minute bar and day stats, and yields at most one message per kind per flush. */
import { accumulatorToBar, openAccumulator } from './bars'
import { MINUTE_MS, nyDayIndex, nyDayStartOfIndex } from './market-time'
import type { Bar, LiveBar, Trade, UpstreamSnapshot } from './market-types'
import { snapshotFigures } from './snapshot-figures'
import { dayFiguresOf, holdForSeed, seedDayFigures } from './day-figures'
import { keepFirstMinute } from './first-minute'
import { seedQuote, snapshotQuoteFields, takeQuote } from './quote-state'
import { accumulateDayTrade, accumulateMinuteTrade, eligibilityOf, minuteRules } from './trade-conditions'
import type { BarData, Outgoing, SnapshotData, SymbolState } from './symbol-state'

export {
  allDayRegularSession,
  calendarRegularSession,
  createSymbolState,
  type BarData,
  type BarState,
  type Outgoing,
  type RegularSessionOf,
  type SnapshotData,
  type SymbolState,
  type TradeData,
} from './symbol-state'
export { forgetDayFigures, seedMissing, type DayFigures } from './day-figures'
export { seedMinutePrefix } from './first-minute'

/** How many recently finalised minutes are remembered to tell a final from a correction. */
const finalizedMemory = 64

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
