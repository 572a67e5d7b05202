/** Upstream splits port: the provider's stock splits by execution date (Massive `/stocks/v1/splits`, or the simulated market's schedule). */
import type { Split } from '../core/splits'
import type { RequestPriority } from './upstream'

export type { Split } from '../core/splits'

/**
 * Contract: fetchSplits lists every split (all tickers) with fromDate <= executionDate <= toDate
 * (YYYY-MM-DD, New York), ascending by execution date, each once; failures throw
 * UpstreamUnavailableError or UpstreamError like UpstreamRest.
 */
export interface UpstreamSplits {
  fetchSplits(fromDate: string, toDate: string, priority?: RequestPriority): Promise<Split[]>
}
