/** What a SymbolActor knows about its symbol (SymbolState, created empty), the messages a flush yields, and where a day's regular session lies. */
import type { BarAccumulator } from './bars'
import { scheduleOfIndex } from './calendar'
import { nyDayStartOfIndex } from './market-time'
import type { Bar, Trade } from './market-types'
import type { DayFigures } from './day-figures'
import { createQuoteState, type QuoteData, type QuoteState, type SnapshotQuoteFields } from './quote-state'
import { stockSaleConditions, type ConditionTable, type Eligibility } from './trade-conditions'

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
