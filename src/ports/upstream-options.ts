/** Options upstream port: listed expirations, chain snapshots and single contracts, from Massive or the simulated market. */
import type { ChainFilter } from '../core/options/chain-query'
import type { OptionSnapshot } from '../core/options/types'

export type { ContractType } from '../core/options/option-ticker'
export type { Greeks } from '../core/options/black-scholes'
export type { OptionContract, OptionDay, OptionQuote, OptionSnapshot, OptionTrade } from '../core/options/types'
export type { ChainFilter }

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
