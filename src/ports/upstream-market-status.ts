/** Market-status upstream port: the provider's word on the market now and the closed and early-close days ahead (Massive). */
import type { ProviderHoliday, ProviderMarketNow } from '../core/market-status'

export type { ProviderHoliday, ProviderMarketNow }

/**
 * Contract: calls are background work (they spend only the budget left beyond the interactive
 * reserve and never wait for it); failures throw UpstreamUnavailableError (503) or UpstreamError
 * (502), as UpstreamRest does.
 */
export interface UpstreamMarketStatus {
  /** The market now (pre / open / post / closed) and the provider's clock. */
  now(): Promise<ProviderMarketNow>
  /** Closed and early-close days from today on, one row per exchange and date. */
  upcoming(): Promise<ProviderHoliday[]>
}
