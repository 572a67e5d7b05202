/** The provider's recent trades of a ticker (Massive `/v3/trades`), for the forming minute's trades from before a symbol's stream began. */
import type { Trade } from '../core/market-types.ts'

export interface TradeHistory {
  /**
   * Trades of `ticker` with fromMs <= t < toMs, ascending, as they stand now: a cancelled or
   * erroneous trade is left out, a corrected one appears once with its corrected values.
   */
  tradesBetween(ticker: string, fromMs: number, toMs: number): Promise<Trade[]>
}
