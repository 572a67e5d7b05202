/** One simulated minute of trades: the shared scratch buffers, a Trade of a filled slot, a minute bar by condition rules, and the MinuteTape a live feed reads forward. */
import { accumulatorToBar, openAccumulator, type BarAccumulator } from '../../core/bars.ts'
import { MINUTE_MS } from '../../core/market-time.ts'
import { accumulateMinuteTrade, eligibilityOf, type Eligibility } from '../../core/trade-conditions.ts'
import type { Bar, Trade } from '../../ports/upstream.ts'
import { fillMinuteTrades, MAX_TRADES_PER_MINUTE, type TickerModel, type TradeRate } from './trade-model.ts'
import { TRADE_CONDITIONS, type SessionOf } from './trade-kinds.ts'

/** A ticker's trades, read forward a minute at a time (SimulatedMarket.tape). */
export interface MinuteTape {
  /** Trades with fromMs <= t < toMs, both within one minute (toMs may be its end), ascending: tradesBetween's. */
  between(fromMs: number, toMs: number): Trade[]
  /** The closed bar of the minute starting at minuteStartMs, as minuteBars gives it at the minute's end; null without trades. */
  barOf(minuteStartMs: number): Bar | null
  /** Minutes computed so far (each once while read in order). */
  readonly minutesComputed: number
}

// Scratch buffers for one minute of trades; every function that uses them is synchronous, so a call
// fills and consumes them before any other call can run.
export const scratchTimes = new Float64Array(MAX_TRADES_PER_MINUTE)
export const scratchPrices = new Float64Array(MAX_TRADES_PER_MINUTE)
export const scratchSizes = new Int32Array(MAX_TRADES_PER_MINUTE)
export const scratchKinds = new Uint8Array(MAX_TRADES_PER_MINUTE)

/** What each TradeKind may update (core/trade-conditions.ts, the table the live pipeline uses too). */
export const KIND_ELIGIBILITY: readonly Eligibility[] = TRADE_CONDITIONS.map((c) => eligibilityOf(c))

/** A Trade from the filled buffers (with a copy of its conditions, none for a regular sale). */
export function tradeOf(symbol: string, m: number, j: number, times: Float64Array, prices: Float64Array, sizes: Int32Array, kinds: Uint8Array): Trade {
  const trade: Trade = { symbol, p: prices[j], s: sizes[j], t: times[j], q: m * MAX_TRADES_PER_MINUTE + j }
  const c = TRADE_CONDITIONS[kinds[j]]
  if (c !== undefined) trade.c = [...c]
  return trade
}

/**
 * Reset `acc` to minute m and add the minute's filled trades with t < asOfMs by their condition
 * rules (core/trade-conditions.ts accumulateMinuteTrade, as the live pipeline does): one
 * arithmetic for bars from history, from a tape and from live trades.
 */
export function accumulateFilled(
  acc: BarAccumulator,
  m: number,
  count: number,
  times: Float64Array,
  prices: Float64Array,
  sizes: Int32Array,
  kinds: Uint8Array,
  regular: boolean,
  asOfMs: number,
): void {
  acc.t = m * MINUTE_MS
  acc.o = acc.h = acc.l = acc.c = acc.v = acc.n = acc.pv = 0
  for (let j = 0; j < count && times[j] < asOfMs; j++) accumulateMinuteTrade(acc, prices[j], sizes[j], KIND_ELIGIBILITY[kinds[j]], regular)
}

/**
 * One ticker's trades minute by minute in buffers of its own (SimulatedMarket.tape): each minute is
 * computed once while read in order; trades and bars are exactly tradesBetween's and minuteBars'.
 */
export function minuteTape(
  ticker: string,
  model: TickerModel,
  rate: TradeRate,
  session: SessionOf,
  isRegular: (m: number) => boolean,
): MinuteTape {
  const times = new Float64Array(MAX_TRADES_PER_MINUTE)
  const prices = new Float64Array(MAX_TRADES_PER_MINUTE)
  const sizes = new Int32Array(MAX_TRADES_PER_MINUTE)
  const kinds = new Uint8Array(MAX_TRADES_PER_MINUTE)
  let minute = Number.NaN
  let count = 0
  let computed = 0
  const load = (m: number) => {
    if (m === minute) return
    count = fillMinuteTrades(model, rate, session, m, times, prices, sizes, kinds)
    minute = m
    computed++
  }
  return {
    between(fromMs, toMs) {
      const out: Trade[] = []
      if (!(toMs > fromMs)) return out
      const m = Math.floor(fromMs / MINUTE_MS)
      load(m)
      for (let j = 0; j < count; j++) {
        const t = times[j]
        if (t < fromMs) continue
        if (t >= toMs) break
        out.push(tradeOf(ticker, m, j, times, prices, sizes, kinds))
      }
      return out
    },
    barOf(minuteStartMs) {
      const m = Math.floor(minuteStartMs / MINUTE_MS)
      load(m)
      const acc = openAccumulator(0)
      accumulateFilled(acc, m, count, times, prices, sizes, kinds, isRegular(m), (m + 1) * MINUTE_MS)
      return accumulatorToBar(acc)
    },
    get minutesComputed() {
      return computed
    },
  }
}
