/** The sale-condition table the live pipeline applies: the shipped one, with the provider's rows merged in once read (cached for a day, retried in the background on failure). */
import { mergeConditions, stockSaleConditions, type ConditionTable } from '../core/trade-conditions'
import type { Clock, TimerHandle } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { ConditionTableSource, UpstreamConditions } from '../ports/upstream-conditions'

/** How long the provider's table is trusted before it is read again. */
const REFRESH_MS = 24 * 3_600_000
/** The wait after a failed read (doubling, up to an hour). */
const RETRY_MIN_MS = 30_000
const RETRY_MAX_MS = 3_600_000

export class SaleConditionsService implements ConditionTableSource {
  private current: ConditionTable = stockSaleConditions
  private timer: TimerHandle | null = null
  private stopped = false
  private failures = 0
  /** When the provider's rows were last read (null: never; the shipped table is in use). */
  loadedAt: number | null = null

  /** Without a provider (the simulated market) the shipped table is the provider's own. */
  constructor(
    private readonly upstream: UpstreamConditions | null,
    private readonly clock: Clock,
    private readonly log?: Logger,
  ) {}

  get table(): ConditionTable {
    return this.current
  }

  /** Reads the provider's table now (in the background), then once a day. */
  start(): void {
    if (this.upstream === null || this.stopped || this.timer !== null) return
    void this.load()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) this.clock.clearTimeout(this.timer)
    this.timer = null
  }

  /** One read: the provider's rows win over the shipped ones; on failure the table in use stays. Resolves when done. */
  async load(): Promise<void> {
    if (this.upstream === null) return
    let next = REFRESH_MS
    try {
      const rows = await this.upstream.saleConditions()
      this.current = mergeConditions(stockSaleConditions, rows)
      this.loadedAt = this.clock.now()
      this.failures = 0
    } catch (error) {
      next = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.failures++)
      this.log?.warn('sale conditions not read from the provider; the shipped table stays in use', { error: String(error), retryInMs: next })
    }
    if (!this.stopped) this.timer = this.clock.setTimeout(() => {
      this.timer = null
      void this.load()
    }, next)
  }
}
