/** The provider's sale conditions and their update rules (Massive `/v3/reference/conditions`), for the live pipeline's trade rules. */
import type { ConditionTable, SaleCondition } from '../core/trade-conditions.ts'

export interface UpstreamConditions {
  /** The stock trade conditions that carry consolidated update rules (others are neutral and left out). */
  saleConditions(): Promise<SaleCondition[]>
}

/** Where symbol actors read the table they apply from: `table` changes once the provider's rows arrive. */
export interface ConditionTableSource {
  readonly table: ConditionTable
}
