/** Stock sale conditions and the consolidated update rules Massive builds bars with: which prints may set last/high/low/open/close and add volume. */

import { accumulateRuledTrade, type BarAccumulator } from './bars.ts'

/** Consolidated update rules of one sale condition (Massive `/v3/reference/conditions` `update_rules.consolidated`). */
export interface UpdateRules {
  /** updates_high_low: may set the bar's and day's high and low (and the last price). */
  highLow: boolean
  /** updates_open_close: may set the open and close (and the last price). */
  openClose: boolean
  /** updates_volume: adds to volume. */
  volume: boolean
}

export interface SaleCondition extends UpdateRules {
  id: number
  name: string
}

/** Condition ids the service and the simulated market name in code. */
export const Condition = {
  AveragePrice: 2,
  CashSale: 7,
  ClosingPrints: 8,
  DerivativelyPriced: 10,
  FormT: 12,
  ExtendedHoursOutOfSequence: 13,
  IntermarketSweep: 14,
  OfficialClose: 15,
  OfficialOpen: 16,
  OpeningPrints: 25,
  SoldOutOfSequence: 32,
  OddLot: 37,
  ContingentTrade: 52,
  QualifiedContingentTrade: 53,
} as const

const T = true
const F = false
/**
 * The stock sale conditions, shipped as data. Source: ../shared/reference/market-rules.md §3.2
 * (Massive's conditions endpoint as mocked by its Python client for ids 1–10, live rows quoted by
 * third parties, and the CTS/UTDF consolidated matrices, which agree). With a Massive key the
 * service reads `/v3/reference/conditions` and prefers the provider's rows (mergeConditions).
 */
const rows: [id: number, name: string, hl: boolean, oc: boolean, v: boolean][] = [
  [1, 'Acquisition', T, T, T],
  [2, 'Average Price Trade', F, F, T],
  [3, 'Automatic Execution', T, T, T],
  [4, 'Bunched Trade', T, T, T],
  [5, 'Bunched Sold Trade', T, F, T],
  [6, 'CAP Election', T, T, T],
  [7, 'Cash Sale', F, F, T],
  [8, 'Closing Prints', T, T, T],
  [9, 'Cross Trade', T, T, T],
  [10, 'Derivatively Priced', T, F, T],
  [11, 'Distribution', T, T, T],
  [12, 'Form T/Extended Hours', F, F, T],
  [13, 'Extended Hours (Sold Out Of Sequence)', F, F, T],
  [14, 'Intermarket Sweep', T, T, T],
  [15, 'Market Center Official Close', F, F, F],
  [16, 'Market Center Official Open', F, F, F],
  [17, 'Market Center Opening Trade', T, T, T],
  [18, 'Market Center Reopening Trade', T, T, T],
  [19, 'Market Center Closing Trade', T, T, T],
  [20, 'Next Day', F, F, T],
  [21, 'Price Variation Trade', F, F, T],
  [22, 'Prior Reference Price', T, F, T],
  [23, 'Rule 155 Trade (AMEX)', T, T, T],
  [24, 'Rule 127 (NYSE Only)', T, T, T],
  [25, 'Opening Prints', T, T, T],
  [27, 'Stopped Stock (Regular Trade)', T, T, T],
  [28, 'Re-Opening Prints', T, T, T],
  [29, 'Seller', F, F, T],
  [30, 'Sold Last', T, T, T],
  [32, 'Sold (Out Of Sequence)', T, F, T],
  [34, 'Split Trade', T, T, T],
  [35, 'Stock Option', T, T, T],
  [36, 'Yellow Flag Regular Trade', T, T, T],
  [37, 'Odd Lot Trade', F, F, T],
  [38, 'Corrected Consolidated Close (per listing market)', T, T, F],
  [41, 'Trade Thru Exempt', T, T, T],
  [52, 'Contingent Trade', F, F, T],
  [53, 'Qualified Contingent Trade', F, F, T],
]

export type ConditionTable = ReadonlyMap<number, SaleCondition>

export const stockSaleConditions: ConditionTable = new Map(
  rows.map(([id, name, highLow, openClose, volume]) => [id, { id, name, highLow, openClose, volume }]),
)

/** The provider's rows win where they exist; ours fill the rest (an id the provider retired stays known). */
export function mergeConditions(base: ConditionTable, provider: readonly SaleCondition[]): ConditionTable {
  const merged = new Map(base)
  for (const row of provider) merged.set(row.id, row)
  return merged
}

/** What a print may update, by the combination rule: a trade moves a field only if every one of its conditions allows it. */
export interface Eligibility {
  /** May set last price, high, low, open and close of the day and of a regular-hours minute bar. */
  readonly price: Readonly<UpdateRules>
  /** The same for an extended-hours minute bar (before the open or after the close), where Form T prints set prices. */
  readonly extendedMinute: Readonly<UpdateRules>
}

const regular: UpdateRules = { highLow: true, openClose: true, volume: true }

/**
 * Eligibility of a print with these conditions (empty = a regular sale: everything). Unknown ids
 * (indicators without update rules, or ids missing from the table) are neutral. The
 * extended-hours exception (market-rules.md §3.3.2): in minute bars outside regular hours,
 * Form T (12) does not stop prices — unless another condition (an odd lot) does.
 */
export function eligibilityOf(conditions: readonly number[] | undefined, table: ConditionTable = stockSaleConditions): Eligibility {
  if (conditions === undefined || conditions.length === 0) return regularSale
  // Per table, one shared (never mutated) result per condition list: no allocation per trade.
  let byKey = memo.get(table)
  if (byKey === undefined) memo.set(table, (byKey = new Map()))
  const key = conditions.length === 1 ? conditions[0]! : conditions.join(',')
  let e = byKey.get(key)
  if (e === undefined) {
    e = computeEligibility(conditions, table)
    if (byKey.size < MEMO_LIMIT) byKey.set(key, e)
  }
  return e
}

const regularSale: Eligibility = { price: regular, extendedMinute: regular }
/** Distinct condition lists remembered per table (a real tape has a few dozen). */
const MEMO_LIMIT = 4_096
const memo = new WeakMap<ConditionTable, Map<number | string, Eligibility>>()

function computeEligibility(conditions: readonly number[], table: ConditionTable): Eligibility {
  let hl = true
  let oc = true
  let v = true
  let extHl = true
  let extOc = true
  for (const id of conditions) {
    const rule = table.get(id)
    if (rule === undefined) continue
    hl &&= rule.highLow
    oc &&= rule.openClose
    v &&= rule.volume
    if (id !== Condition.FormT) {
      extHl &&= rule.highLow
      extOc &&= rule.openClose
    }
  }
  return {
    price: { highLow: hl, openClose: oc, volume: v },
    extendedMinute: { highLow: extHl, openClose: extOc, volume: v },
  }
}

/** The rules that apply to a print in a minute bar: extended hours use the Form T exception, regular hours do not. */
export function minuteRules(e: Eligibility, extendedHours: boolean): UpdateRules {
  return extendedHours ? e.extendedMinute : e.price
}

/**
 * Add one print to a minute bar (live or final: the same code): regular-session minutes take
 * prices by the consolidated rules, extended-hours minutes by the Form T exception; volume from
 * every volume-eligible print. Returns whether the print changed the bar.
 */
export function accumulateMinuteTrade(acc: BarAccumulator, price: number, size: number, e: Eligibility, regularSession: boolean): boolean {
  const rules = minuteRules(e, !regularSession)
  accumulateRuledTrade(acc, price, size, rules)
  return rules.highLow || rules.openClose || rules.volume
}

const volumeOnly: UpdateRules = { highLow: false, openClose: false, volume: true }
const nothing: UpdateRules = { highLow: false, openClose: false, volume: false }

/**
 * Add one print to a day bar (live or final): open/high/low/close only from regular-session
 * prints the rules allow (no Form T exception), volume from every volume-eligible print of the
 * day, extended hours included (market-rules.md §3.3.7).
 */
export function accumulateDayTrade(acc: BarAccumulator, price: number, size: number, e: Eligibility, regularSession: boolean): void {
  accumulateRuledTrade(acc, price, size, regularSession ? e.price : e.price.volume ? volumeOnly : nothing)
}
