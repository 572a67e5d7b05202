/** Options as the domain knows them: a contract, its quote, last trade, session statistics and greeks, in one snapshot. */
import type { Greeks } from './black-scholes'
import type { ContractType } from './option-ticker'

/** What a contract is (Massive `details` / reference contract). */
export interface OptionContract {
  /** `O:AAPL251219C00150000` */
  ticker: string
  underlying: string
  type: ContractType
  style: 'american' | 'european' | 'bermudan'
  /** YYYY-MM-DD */
  expiration: string
  strike: number
  sharesPerContract: number
}

export interface OptionQuote {
  bid: number
  ask: number
  mid: number
  bidSize: number
  askSize: number
  /** Unix ms. */
  updatedAt: number
}

export interface OptionTrade {
  price: number
  size: number
  /** Unix ms. */
  at: number
}

/** The current session's statistics; change = close − prevClose. */
export interface OptionDay {
  open: number
  high: number
  low: number
  close: number
  volume: number
  vwap: number
  prevClose: number
  change: number
  /** Percent, e.g. -7.64. */
  changePct: number
  /** Unix ms. */
  updatedAt: number
}

/**
 * One contract's snapshot in our terms. Parts the provider may leave out (by plan, or greeks of a
 * deep in-the-money contract) are null.
 */
export interface OptionSnapshot {
  contract: OptionContract
  quote: OptionQuote | null
  lastTrade: OptionTrade | null
  day: OptionDay | null
  greeks: Greeks | null
  /** Implied volatility, 0.35 = 35 %. */
  iv: number | null
  openInterest: number | null
  breakEven: number | null
  underlying: { ticker: string; price: number; updatedAt: number } | null
}
