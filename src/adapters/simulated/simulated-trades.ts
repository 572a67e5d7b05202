/** TradeHistory over the simulated market: its trades (with their conditions) up to the clock's now; it has no cancels or corrections. */
import type { Trade } from '../../core/market-types.ts'
import type { Clock } from '../../ports/clock.ts'
import type { TradeHistory } from '../../ports/upstream-trades.ts'
import type { SimulatedMarket } from './market.ts'

export class SimulatedTrades implements TradeHistory {
  constructor(
    private readonly market: SimulatedMarket,
    private readonly clock: Clock,
  ) {}

  async tradesBetween(ticker: string, fromMs: number, toMs: number): Promise<Trade[]> {
    return this.market.tradesBetween(ticker, fromMs, Math.min(toMs, this.clock.now()))
  }
}
