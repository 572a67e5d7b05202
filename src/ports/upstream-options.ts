/** Options upstream port: listed expirations, chain snapshots and single contracts, from Massive or the simulated market. */
import type { Greeks } from '../core/options/black-scholes'
import type { ChainFilter } from '../core/options/chain-query'
import type { ContractType } from '../core/options/option-ticker'

export type { ChainFilter, ContractType, Greeks }

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

/**
 * Options data over request/response. Contract:
 * - expirations: distinct expiration dates from today (New York) on, ascending; [] when the
 *   underlying is unknown or lists no options (tell them apart with UpstreamRest.lookupTicker).
 * - chain: the contracts of one expiration that pass the filter, ascending by strike, the call
 *   before the put of a strike; [] when there are none.
 * - contract: one contract's snapshot, or null when the provider does not know it (malformed,
 *   never listed, or expired).
 * - failures throw UpstreamUnavailableError (503) or UpstreamError (502), as UpstreamRest does.
 */
export interface UpstreamOptions {
  readonly name: 'simulated' | 'massive'
  expirations(underlying: string): Promise<string[]>
  chain(underlying: string, expiration: string, filter: ChainFilter): Promise<OptionSnapshot[]>
  contract(optionTicker: string): Promise<OptionSnapshot | null>
}
