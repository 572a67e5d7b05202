/** Deterministic simulated options on the simulated stocks: listings, strikes, an IV smile, Black–Scholes prices, quotes, trades and day stats as pure functions of (underlying, as-of). */

import { blackScholes, breakEven } from '../../core/options/black-scholes'
import { matchesFilter, type ChainFilter } from '../../core/options/chain-query'
import { dayOfDate, expirationKind, listedExpirations, yearsToExpiry } from '../../core/options/expirations'
import { formatOptionTicker, occRoot, optionTickerProblem, parseOptionTicker } from '../../core/options/option-ticker'
import { DAY_MS, HOUR_MS, MINUTE_MS, nyDayIndex, nyWallToUtc, weekdayOfDayIndex } from '../../core/market-time'
import type { ContractType, OptionContract, OptionSnapshot } from '../../ports/upstream-options'
import { minuteBars, snapshotAt } from './market'
import { hash2, tickerModel, type TickerModel } from './trade-model'
import { simulatedUniverse } from './universe'

/** Continuously compounded rate every simulated price uses (no dividends). */
export const simulatedRiskFreeRate = 0.04
const UNIT = 1 / 4_294_967_296
const SHARES_PER_CONTRACT = 100
const underlyingByRoot = new Map(simulatedUniverse.map((s) => [occRoot(s.ticker), s.ticker]))

/** Strike increment by price level. */
function strikeStep(price: number): number {
  return price < 25 ? 0.5 : price < 50 ? 1 : price < 200 ? 2.5 : price < 1000 ? 5 : 10
}

/** The strike grid of an expiration: multiples of strikeStep(center) within ±30 % (weeklies) to ±50 % (two years) of center. */
function listedStrikes(center: number, years: number): number[] {
  const step = strikeStep(center)
  const width = 0.3 + 0.2 * Math.min(1, Math.max(0, years) / 2)
  const out: number[] = []
  for (let i = Math.max(1, Math.ceil((center * (1 - width)) / step)); i * step <= center * (1 + width); i++)
    out.push(i * step)
  return out
}

/** The underlying's state a chain is priced from, computed once per (underlying, as-of). */
interface Market {
  model: TickerModel
  asOf: number
  today: number
  /** Last trade price at as-of and its time. */
  spot: number
  spotAt: number
  /** Previous New York day's close: strikes are centred on it, so they hold still for a day. */
  center: number
  /** The latest weekday session that has opened (09:30–16:00 New York), the one before it, and how much of it has passed. */
  session: { day: number; open: number; close: number; prevClose: number; fraction: number }
  /** Underlying prices over the session: open, high, low, at its close (or now), at the previous session's close. */
  s: { open: number; high: number; low: number; last: number; prevClose: number }
}

/** Snapshots of one expiration's contracts passing `filter`, ascending by strike, call first; [] when not listed. */
export function simulatedChain(
  underlying: string,
  expiration: string,
  asOfMs: number,
  filter: ChainFilter,
): OptionSnapshot[] {
  const market = marketOf(underlying, asOfMs)
  if (!market || !simulatedExpirations(underlying, asOfMs).includes(expiration)) return []
  const out: OptionSnapshot[] = []
  for (const strike of listedStrikes(market.center, yearsToExpiry(expiration, asOfMs)))
    for (const type of ['call', 'put'] as const)
      if (matchesFilter(filter, type, strike)) out.push(snapshotOf(market, expiration, type, strike))
  return out
}

/** Listed expiration dates of a known underlying (today's included until midnight), ascending; [] otherwise. */
export function simulatedExpirations(underlying: string, asOfMs: number): string[] {
  return tickerModel(underlying) ? listedExpirations(nyDayIndex(asOfMs)).map((e) => e.date) : []
}

/** Every contract listed as of asOfMs (reference data: no prices), by expiration then strike, call first. */
export function simulatedContracts(underlying: string, asOfMs: number): OptionContract[] {
  const snap = tickerModel(underlying) ? snapshotAt(underlying, asOfMs) : null
  if (!snap) return []
  return simulatedExpirations(underlying, asOfMs).flatMap((expiration) =>
    listedStrikes(snap.prevClose, yearsToExpiry(expiration, asOfMs)).flatMap((strike) =>
      (['call', 'put'] as const).map((type) => contractOf(underlying, expiration, type, strike)),
    ),
  )
}

/** One contract's snapshot, or null when the ticker is malformed, its underlying unknown, or it is not listed as of asOfMs. */
export function simulatedContract(optionTicker: string, asOfMs: number): OptionSnapshot | null {
  if (optionTickerProblem(optionTicker) !== null) return null
  const p = parseOptionTicker(optionTicker)
  const underlying = underlyingByRoot.get(p.root)
  const market = underlying ? marketOf(underlying, asOfMs) : null
  if (!market || !simulatedExpirations(underlying!, asOfMs).includes(p.expiration)) return null
  if (!listedStrikes(market.center, yearsToExpiry(p.expiration, asOfMs)).includes(p.strike)) return null
  return snapshotOf(market, p.expiration, p.type, p.strike)
}

function contractOf(underlying: string, expiration: string, type: ContractType, strike: number): OptionContract {
  const ticker = formatOptionTicker({ underlying, expiration, type, strike })
  return { ticker, underlying, type, style: 'american', expiration, strike, sharesPerContract: SHARES_PER_CONTRACT }
}

function marketOf(underlying: string, asOf: number): Market | null {
  const model = tickerModel(underlying)
  if (!model) return null
  const snap = snapshotAt(underlying, asOf)
  const today = nyDayIndex(asOf)
  let day = today
  while (!isWeekday(day) || (day === today && asOf < sessionOpen(day))) day--
  let prevDay = day - 1
  while (!isWeekday(prevDay)) prevDay--
  const [open, close] = [sessionOpen(day), sessionOpen(day) + 390 * MINUTE_MS]
  const prevClose = sessionOpen(prevDay) + 390 * MINUTE_MS
  const bars = minuteBars(underlying, open, Math.min(asOf, close), asOf)
  const last = asOf < close ? snap.last : priceAt(underlying, close, snap.last)
  const s = {
    open: bars[0]?.o ?? last,
    high: Math.max(last, ...bars.map((b) => b.h)),
    low: Math.min(last, ...bars.map((b) => b.l)),
    last,
    prevClose: priceAt(underlying, prevClose, snap.prevClose),
  }
  const fraction = Math.min(1, (asOf - open) / (close - open))
  return {
    model,
    asOf,
    today,
    spot: snap.last,
    spotAt: snap.updatedAt,
    center: snap.prevClose,
    session: { day, open, close, prevClose, fraction },
    s,
  }
}

function isWeekday(day: number): boolean {
  const w = weekdayOfDayIndex(day)
  return w >= 1 && w <= 5
}

function sessionOpen(day: number): number {
  return nyWallToUtc(day * DAY_MS + 9.5 * HOUR_MS)
}

/** The underlying's last trade price at or before t (within an hour), else the fallback. */
function priceAt(underlying: string, t: number, fallback: number): number {
  return minuteBars(underlying, t - HOUR_MS, t + 1, t + 1).at(-1)?.c ?? fallback
}

/** Annual vol level of an underlying on a New York day: 16–38 % by its noise scale, ±10 % day to day. */
function baseVol(model: TickerModel, day: number): number {
  return (0.16 + 0.22 * ((model.volatility - 0.7) / 0.8)) * (0.9 + 0.2 * hash2(model.seed ^ 0x0b7105, day) * UNIT)
}

/** Implied vol with a term structure (short dates richer), a put skew and a smile, in standardised log-moneyness. */
function impliedVol(base: number, spot: number, strike: number, years: number): number {
  const t = Math.max(years, 1 / 365)
  const sigma = base * (1 + 0.25 * Math.exp(-t * 12))
  const z = Math.max(
    -4,
    Math.min(4, Math.log(strike / (spot * Math.exp(simulatedRiskFreeRate * t))) / (sigma * Math.sqrt(t))),
  )
  return round(sigma * (1 - 0.08 * z + 0.025 * z * z), 4)
}

/** Theoretical price and greeks at a given underlying price, time and vol level. */
function theo(type: ContractType, strike: number, spot: number, years: number, base: number) {
  const vol = impliedVol(base, spot, strike, years)
  return { vol, ...blackScholes({ type, spot, strike, years, vol, rate: simulatedRiskFreeRate }) }
}

function snapshotOf(m: Market, expiration: string, type: ContractType, strike: number): OptionSnapshot {
  const contract = contractOf(m.model.ticker, expiration, type, strike)
  const seed = hash2(
    hash2(m.model.seed, dayOfDate(expiration)),
    Math.round(strike * 1000) * 2 + (type === 'call' ? 1 : 0),
  )
  const u = (salt: number) => hash2(seed, salt) * UNIT
  const years = yearsToExpiry(expiration, m.asOf)
  const base = baseVol(m.model, m.today)
  const now = theo(type, strike, m.spot, years, base)
  const half = Math.max(0.01, Math.min(0.01 + 0.02 * now.price, 0.25 + 0.005 * now.price))
  const bid = Math.max(0, Math.floor((now.price - half) * 100 + 1e-9) / 100)
  const ask = Math.max(bid + 0.01, Math.ceil((now.price + half) * 100 - 1e-9) / 100)
  const mid = round((bid + ask) / 2, 3)
  const quote = {
    bid,
    ask,
    mid,
    bidSize: 1 + (hash2(seed, m.spotAt) % 300),
    askSize: 1 + (hash2(seed, ~m.spotAt) % 300),
    updatedAt: m.spotAt,
  }

  // Open interest and the session's volume hold still through a session; more near the money, on monthlies and round strikes.
  const { session, s } = m
  const moneyness = Math.log(strike / m.center) / (0.08 + 0.15 * Math.sqrt(Math.max(years, 0)))
  const kind = expirationKind(expiration, m.today)
  const weight =
    Math.exp(-0.5 * moneyness * moneyness) *
    (kind === 'weekly' ? 0.35 : 1) *
    (strike % (4 * strikeStep(m.center)) === 0 ? 1.5 : 1)
  const openInterest = Math.round(25_000 * m.model.activity * weight * (0.3 + 0.7 * u(session.day)))
  const fullDayVolume = openInterest * (0.05 + 0.45 * u(session.day + 1)) * (years < 0.1 ? 2 : 1)
  const volume = Math.round(fullDayVolume * session.fraction)

  const prevYears = yearsToExpiry(expiration, session.prevClose)
  const prevClose = round(
    Math.max(0.01, theo(type, strike, s.prevClose, prevYears, baseVol(m.model, nyDayIndex(session.prevClose))).price),
    2,
  )
  let lastTrade: OptionSnapshot['lastTrade'] = null
  let day: OptionSnapshot['day'] = null
  if (volume > 0) {
    const end = Math.min(m.asOf, session.close)
    const at =
      end - (hash2(seed, Math.floor(m.asOf / MINUTE_MS)) % Math.max(1, Math.min(20 * MINUTE_MS, end - session.open)))
    const atEnd = theo(type, strike, s.last, yearsToExpiry(expiration, end), base).price
    const price = round(Math.max(0.01, atEnd + (u(at) * 2 - 1) * half), 2)
    lastTrade = { price, size: 1 + (hash2(seed, at) % 20), at }
    const open = round(
      Math.max(0.01, theo(type, strike, s.open, yearsToExpiry(expiration, session.open), base).price),
      2,
    )
    const extremes = [s.high, s.low].map((spot) => theo(type, strike, spot, years, base).price)
    const high = round(Math.max(open, price, ...extremes), 2)
    const low = round(Math.max(0.01, Math.min(open, price, ...extremes)), 2)
    const change = round(price - prevClose, 2)
    day = {
      open,
      high,
      low,
      close: price,
      volume,
      vwap: round((high + low + price) / 3, 4),
      prevClose,
      change,
      changePct: round((change / prevClose) * 100, 2),
      updatedAt: at,
    }
  } else {
    // No trade yet this session: the last one was near the previous session's close, at its close price.
    const at = session.prevClose - (hash2(seed, session.day) % (30 * MINUTE_MS))
    lastTrade = { price: prevClose, size: 1 + (hash2(seed, at) % 20), at }
  }
  return {
    contract,
    quote,
    lastTrade,
    day,
    greeks: { delta: sig(now.delta), gamma: sig(now.gamma), theta: sig(now.theta), vega: sig(now.vega) },
    iv: now.vol,
    openInterest,
    breakEven: round(breakEven(type, strike, mid), 3),
    underlying: { ticker: m.model.ticker, price: m.spot, updatedAt: m.spotAt },
  }
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(x * f) / f
}

/** Six significant digits, as a display-friendly float. */
function sig(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(6))
}
