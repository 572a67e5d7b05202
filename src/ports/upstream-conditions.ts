/** The provider's sale conditions and their update rules (Massive `/v3/reference/conditions`), for the live pipeline's trade rules. */
import type { SaleCondition } from '../core/trade-conditions.ts'

export interface UpstreamConditions {
  /** The stock trade conditions that carry consolidated update rules (others are neutral and left out). */
  saleConditions(): Promise<SaleCondition[]>
}
