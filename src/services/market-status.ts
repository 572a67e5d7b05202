/** Market status now (pre / open / post / closed, the day's session, the next open and close, closed days ahead) by the exchange calendar, with the provider's word merged in when there is one. */
import {
  exchangeCalendar,
  overridesByDay,
  usEquityCalendar,
  type CalendarOverride,
  type ExchangeCalendar,
} from '../core/calendar'
import { marketStatusAt, overrideFromNow, overridesFromUpcoming, type MarketStatus } from '../core/market-status'
import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { UpstreamMarketStatus } from '../ports/upstream-market-status'

export interface MarketStatusServiceOptions {
  clock: Clock
  log: Logger
  /** The provider's market status (Massive); null: the computed calendar alone (the simulated market). */
  provider: UpstreamMarketStatus | null
  /** The simulated market trades around the clock (SIMULATED_MARKET_HOURS=always): the status says open, flagged. */
  simulatedAlwaysOpen: boolean
  /** How long the provider's `now` is trusted. @default 60_000 */
  nowTtlMs?: number
  /** How long the provider's upcoming days are trusted. @default 6 h */
  upcomingTtlMs?: number
  /** After a failed provider call, how long until the next try. @default 60_000 */
  retryMs?: number
  /** How long an answer waits for a due provider call before answering from what it has. @default 2_000 */
  maxWaitMs?: number
}

interface ProviderPart {
  fetchedAt: number
  /** When the last call was made (successful or not). */
  triedAt: number
}

/**
 * Answers from the calendar at once; with a provider, reads its `now` (cached nowTtlMs) and
 * `upcoming` (cached upcomingTtlMs) as background calls of the request budget and merges their
 * disagreements into the calendar (an unscheduled closure today, closed and early-close days
 * ahead). A provider failure never fails an answer: the last word heard (or the rules) stands.
 */
export class MarketStatusService {
  private calendarNow: ExchangeCalendar = usEquityCalendar
  private upcomingOverrides: CalendarOverride[] = []
  private todayOverride: CalendarOverride | null = null
  private readonly nowPart: ProviderPart = { fetchedAt: -Infinity, triedAt: -Infinity }
  private readonly upcomingPart: ProviderPart = { fetchedAt: -Infinity, triedAt: -Infinity }
  private refreshing: Promise<void> | null = null
  private readonly listeners = new Set<() => void>()

  constructor(private readonly o: MarketStatusServiceOptions) {}

  /** The calendar in use: the rules with the provider's overrides merged in. */
  get calendar(): ExchangeCalendar {
    return this.calendarNow
  }

  /** The status now from what is known; starts a provider refresh in the background when one is due. */
  view(): MarketStatus {
    if (this.refreshDue()) void this.refresh()
    return marketStatusAt(this.calendarNow, this.o.clock.now(), this.o.simulatedAlwaysOpen)
  }

  /** The status now, after a due provider refresh (waiting at most maxWaitMs for it). */
  async current(): Promise<MarketStatus> {
    if (this.refreshDue()) await this.withinWait(this.refresh())
    return marketStatusAt(this.calendarNow, this.o.clock.now(), this.o.simulatedAlwaysOpen)
  }

  /** When the market next changes session (UTC ms); null when it never does (the simulated market around the clock). */
  nextChangeAt(): number | null {
    return this.o.simulatedAlwaysOpen ? null : this.calendarNow.sessionAt(this.o.clock.now()).until
  }

  /** Called after the provider's word changed the calendar; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private refreshDue(): boolean {
    if (this.o.provider === null || this.refreshing !== null) return false
    return (
      this.due(this.nowPart, this.o.nowTtlMs ?? 60_000) ||
      this.due(this.upcomingPart, this.o.upcomingTtlMs ?? 6 * 3_600_000)
    )
  }

  private due(part: ProviderPart, ttlMs: number): boolean {
    const now = this.o.clock.now()
    return now - part.fetchedAt >= ttlMs && now - part.triedAt >= (this.o.retryMs ?? 60_000)
  }

  /** One refresh at a time: the due parts, then the merged calendar. */
  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const provider = this.o.provider!
        if (this.due(this.upcomingPart, this.o.upcomingTtlMs ?? 6 * 3_600_000))
          await this.read(this.upcomingPart, 'upcoming', async () => {
            this.upcomingOverrides = overridesFromUpcoming(await provider.upcoming()).filter(valid)
          })
        if (this.due(this.nowPart, this.o.nowTtlMs ?? 60_000))
          await this.read(this.nowPart, 'now', async () => {
            const now = await provider.now()
            // Judged against the upcoming days alone, so an earlier answer of `now` cannot hide its own change.
            const override = overrideFromNow(exchangeCalendar(this.upcomingOverrides), now)
            this.todayOverride = override && valid(override) ? override : null
          })
        this.rebuild()
      } finally {
        this.refreshing = null
      }
    })()
    return this.refreshing
  }

  private async read(part: ProviderPart, what: string, call: () => Promise<void>): Promise<void> {
    part.triedAt = this.o.clock.now()
    try {
      await call()
      part.fetchedAt = this.o.clock.now()
    } catch (error) {
      this.o.log.debug('market status from the provider unavailable; the calendar stands', {
        what,
        error: String(error),
      })
    }
  }

  private rebuild(): void {
    const overrides = this.todayOverride ? [...this.upcomingOverrides, this.todayOverride] : this.upcomingOverrides
    const before = marketStatusAt(this.calendarNow, this.o.clock.now())
    this.calendarNow = overrides.length === 0 ? usEquityCalendar : exchangeCalendar(overrides)
    const after = marketStatusAt(this.calendarNow, this.o.clock.now())
    if (JSON.stringify({ ...before, server_time: 0 }) === JSON.stringify({ ...after, server_time: 0 })) return
    for (const listener of this.listeners) listener()
  }

  private withinWait(work: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.o.clock.setTimeout(resolve, this.o.maxWaitMs ?? 2_000)
      void work.finally(() => {
        this.o.clock.clearTimeout(timer)
        resolve()
      })
    })
  }
}

/** An override the calendar accepts (a provider row with impossible times is dropped, not trusted). */
function valid(override: CalendarOverride): boolean {
  try {
    overridesByDay([override])
    return true
  } catch {
    return false
  }
}
