/** The simulated market's trade model: every trade of a ticker in a given minute, as a pure function of (ticker, minute). */

import { DAY_MS, MINUTE_MS, nyWallMs } from '../../core/market-time.ts'
import { REGULAR_CLOSE_MINUTE, REGULAR_OPEN_MINUTE } from '../../core/sessions.ts'
import { simulatedUniverse } from './universe.ts'
import { scheduleOfMinute, TradeKind, type SessionOf } from './trade-kinds.ts'
import { preSplitScale } from './splits.ts'

/** Per-ticker constants derived once from the universe (a constant table). */
export interface TickerModel {
  ticker: string
  basePrice: number
  seed: number
  /** 0.35…1: scales trade frequency (larger companies trade more). */
  activity: number
  /** 0.7…1.5: scales every price-noise amplitude. */
  volatility: number
}

/** At most this many trades per minute; `q` = minuteIndex × MAX_TRADES_PER_MINUTE + position. */
export const MAX_TRADES_PER_MINUTE = 256

/** 32-bit integer hash of (seed, x): Math.imul mixing with a lowbias32 finaliser. x is taken mod 2^32. */
export function hash2(seed: number, x: number): number {
  let h = (seed ^ Math.imul(x | 0, 0x9e3779b1)) | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b)
  h ^= h >>> 16
  return h >>> 0
}

/** FNV-1a hash of a string (for ticker seeds). */
function hashString(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

const UNIT = 1 / 4_294_967_296

const MODELS: ReadonlyMap<string, TickerModel> = new Map(
  simulatedUniverse.map((entry, rank) => {
    const seed = hashString(entry.ticker)
    const activity = rank < 20 ? 1 : 0.35 + 0.5 * hash2(seed, 1) * UNIT
    const volatility = 0.7 + 0.8 * hash2(seed, 2) * UNIT
    return [entry.ticker, { ticker: entry.ticker, basePrice: entry.basePrice, seed, activity, volatility }]
  }),
)

/** The model of a known ticker, or undefined. */
export function tickerModel(ticker: string): TickerModel | undefined {
  return MODELS.get(ticker)
}

// Log-price noise scales (in minutes) and amplitudes. Scales of an hour and more are sampled at
// the minute's start; the 10-minute and 1-minute scales are interpolated at the trade's own time.
const COARSE_SCALES_MIN = [525_600, 86_400, 14_400, 2_880, 360, 60]
const COARSE_AMPLITUDES = [0.2, 0.1, 0.05, 0.025, 0.01, 0.005]
const TEN_MINUTE_AMPLITUDE = 0.0025
const ONE_MINUTE_AMPLITUDE = 0.0012
const TICK_AMPLITUDE = 0.0004

/** Smooth value noise in [-1, 1) at position x (cells of width 1, smoothstep interpolation). */
function valueNoise(salt: number, x: number): number {
  const cell = Math.floor(x)
  return lerpNoise(salt, cell, x - cell)
}

function lerpNoise(salt: number, cell: number, frac: number): number {
  const a = hash2(salt, cell) * UNIT
  const b = hash2(salt, cell + 1) * UNIT
  const s = frac * frac * (3 - 2 * frac)
  return (a + (b - a) * s) * 2 - 1
}

/** When the simulated market trades: by the exchange calendar, or around the clock every day (demos at night and on weekends). */
export type MarketHours = 'calendar' | 'always'

/** Expected trades per minute (before a ticker's activity) of the minute starting at minuteStartMs. */
export type TradeRate = (minuteStartMs: number) => number

const PRE_MARKET_RATE = 4
const POST_MARKET_RATE = 5
/** The regular session's rate at its middle; it rises to 1.8 × this at the open and at the close. */
const REGULAR_MIDDAY_RATE = 90

/** The regular session's U shape over [open, close): busiest at the open and the close. */
function regularRate(minuteStartMs: number, open: number, close: number): number {
  const fromMid = (2 * (minuteStartMs - open)) / (close - open) - 1 // -1 at the open, +1 at the close
  return REGULAR_MIDDAY_RATE * (1 + 0.8 * fromMid * fromMid)
}

/**
 * The rate by the US-equities calendar (market-rules.md §2.1): nothing on weekends, holidays and
 * overnight (20:00–04:00 New York), thin pre-market (04:00–09:30) and post-market (to 20:00, or
 * 17:00 after an early close), busy regular session (09:30–16:00, or 13:00 on early-close days).
 */
export function calendarTradeRate(minuteStartMs: number): number {
  const s = scheduleOfMinute(minuteStartMs)
  if (s === null || minuteStartMs < s.preOpen || minuteStartMs >= s.postClose) return 0
  if (minuteStartMs < s.open) return PRE_MARKET_RATE
  if (minuteStartMs < s.close) return regularRate(minuteStartMs, s.open, s.close)
  return POST_MARKET_RATE
}

/**
 * The rate around the clock, every day of the year: 09:30–16:00 New York has the regular
 * session's shape (the same trades as a trading day's session by the calendar), every other
 * minute the regular session's midday rate.
 */
export function alwaysOpenTradeRate(minuteStartMs: number): number {
  const wall = nyWallMs(minuteStartMs)
  const minuteOfDay = (wall - Math.floor(wall / DAY_MS) * DAY_MS) / MINUTE_MS
  if (minuteOfDay < REGULAR_OPEN_MINUTE || minuteOfDay >= REGULAR_CLOSE_MINUTE) return REGULAR_MIDDAY_RATE
  return regularRate(minuteOfDay, REGULAR_OPEN_MINUTE, REGULAR_CLOSE_MINUTE)
}

/** The rate function of a MarketHours setting. */
export function tradeRateOf(hours: MarketHours): TradeRate {
  return hours === 'always' ? alwaysOpenTradeRate : calendarTradeRate
}

/** A trade count with mean `mean`: Poisson for small means (so empty minutes happen), ±40 % uniform above. */
function drawCount(mean: number, u: number): number {
  if (mean > 12) return Math.min(MAX_TRADES_PER_MINUTE - 1, Math.round(mean * (0.6 + 0.8 * u)))
  let k = 0
  let p = Math.exp(-mean)
  let cdf = p
  while (u > cdf && k < 40) {
    k++
    p *= mean / k
    cdf += p
  }
  return k
}

/**
 * The trades of one minute at the given rate (a minute at rate 0 has none), written into caller-owned buffers (length ≥ MAX_TRADES_PER_MINUTE):
 * ascending times (ms), prices rounded to cents, sizes in shares (mostly round lots of 100–500,
 * else 1–99 — odd lots), and each print's TradeKind (its conditions; about 1 % average-price and
 * 1 % out-of-sequence prints away from the market (up to 0.4 % × the ticker's volatility), auction prints at the session's
 * first and last minute). Returns the count. Trade j has q = minuteIndex × MAX_TRADES_PER_MINUTE + j.
 */
export function fillMinuteTrades(
  model: TickerModel,
  rate: TradeRate,
  session: SessionOf,
  minuteIndex: number,
  times: Float64Array,
  prices: Float64Array,
  sizes: Int32Array,
  kinds: Uint8Array,
): number {
  const start = minuteIndex * MINUTE_MS
  const mean = rate(start)
  if (mean === 0) return 0
  const minuteSeed = hash2(model.seed, minuteIndex)
  const count = drawCount(mean * model.activity, hash2(minuteSeed, 0x51ed27) * UNIT)
  if (count === 0) return 0

  const vol = model.volatility
  let coarseLog = 0
  for (let i = 0; i < COARSE_SCALES_MIN.length; i++) {
    coarseLog += COARSE_AMPLITUDES[i] * valueNoise(model.seed + i * 0x6b43a9b5, minuteIndex / COARSE_SCALES_MIN[i])
  }
  const tenCell = Math.floor(minuteIndex / 10)
  const tenSalt = model.seed ^ 0x27d4eb2f
  const tenA = hash2(tenSalt, tenCell) * UNIT
  const tenB = hash2(tenSalt, tenCell + 1) * UNIT
  const tenBase = (minuteIndex - tenCell * 10) / 10
  const oneSalt = model.seed ^ 0x165667b1
  const oneA = hash2(oneSalt, minuteIndex) * UNIT
  const oneB = hash2(oneSalt, minuteIndex + 1) * UNIT
  // Before a split the stock trades on its old scale (splits.ts): 4× the price before a 4-for-1.
  const base = model.basePrice * preSplitScale(model.ticker, start) * Math.exp(coarseLog * vol)
  const slot = Math.floor(MINUTE_MS / count)
  const where = session(start)
  const extended = where === 'extended'

  for (let j = 0; j < count; j++) {
    const h1 = hash2(minuteSeed, j)
    const h2 = hash2(h1, 0x5bd1e995)
    const offset = j * slot + (h1 % slot)
    const f1 = offset / MINUTE_MS
    const s1 = f1 * f1 * (3 - 2 * f1)
    const f10 = tenBase + f1 / 10
    const s10 = f10 * f10 * (3 - 2 * f10)
    let fineLog =
      TEN_MINUTE_AMPLITUDE * ((tenA + (tenB - tenA) * s10) * 2 - 1) +
      ONE_MINUTE_AMPLITUDE * ((oneA + (oneB - oneA) * s1) * 2 - 1) +
      TICK_AMPLITUDE * (((h2 & 0xffff) / 65_536) * 2 - 1)
    const sizeBits = (h2 >>> 16) & 0xff
    let size = h2 >>> 24 < 154 ? 100 * (1 + (sizeBits % 5)) : 1 + (sizeBits % 99)
    const odd = size < 100
    // Conditions from a third hash, so a regular print keeps the price and size it always had.
    const h3 = hash2(h2, 0x68e31da4)
    const r = h3 & 0x3ff
    const away = (((h3 >>> 10) & 0xffff) / 65_536) * 2 - 1
    let kind: number
    if (where === 'opening' && j === 0) {
      kind = TradeKind.OpeningPrint
      size = 1_000 * (5 + (sizeBits % 16))
    } else if (where === 'opening' && j === 1) {
      kind = TradeKind.OfficialOpen
      size = 1_000 * (5 + (sizeBits % 16))
    } else if (where === 'closing' && j === count - 2) {
      kind = TradeKind.ClosingPrint
      size = 1_000 * (8 + (sizeBits % 24))
    } else if (where === 'closing' && j === count - 1) {
      kind = TradeKind.OfficialClose
      size = 1_000 * (8 + (sizeBits % 24))
    } else if (r < 10) {
      kind = TradeKind.AveragePrice
      size = 100 * (10 + (sizeBits % 40))
      fineLog += 0.004 * away
    } else if (r < 20) {
      kind = extended ? TradeKind.ExtendedOutOfSequence : TradeKind.OutOfSequence
      fineLog += 0.0025 * away
    } else if (extended) kind = odd ? TradeKind.FormTOddLot : TradeKind.FormT
    else if (r < 140) kind = odd ? TradeKind.SweepOddLot : TradeKind.Sweep
    else kind = odd ? TradeKind.OddLot : TradeKind.Regular
    // floor(x + 0.5) is Math.round(x) bit for bit for every x >= 0.5 (x + 0.5 is then exact, x < 2^52), and
    // below that both prices clamp to a cent; it costs a third less per trade than Math.round here.
    const price = Math.floor(base * Math.exp(fineLog * vol) * 100 + 0.5) / 100
    times[j] = start + offset
    prices[j] = price < 0.01 ? 0.01 : price
    sizes[j] = size
    kinds[j] = kind
  }
  return count
}
