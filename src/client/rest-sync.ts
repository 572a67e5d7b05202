/** REST side of the client: runs the chart's backfills (with retry) and the polling loop of snapshots, bars and the market status while the stream cannot serve. */
import type { Clock, TimerHandle } from '../core/clock'
import { isPollingState, type ConnectionState } from './connection-machine'
import type { MarketModel } from './market-model'
import type { RestApi } from './rest-api'

export interface RestSyncOptions {
  /** Snapshot polling period while polling. @default 3_000 */
  snapshotPollMs: number
  /** Bar polling period while polling (15–30 s). @default 20_000 */
  barsPollMs: number
}

export interface RestSyncHost {
  model: MarketModel
  api: RestApi
  /** Local clock: timers and poll pacing. */
  clock: Clock
  /** The server's time (estimated): the backfill's range and fetch time. */
  serverNow(): number
  connection(): ConnectionState
  backfillOk(): void
  backfillFailed(message: string): void
  /** Records a REST failure; true when it signed the client out. */
  restError(e: unknown): boolean
  /** Asks the market status over REST (the stream's `market_status` is not heard while polling); never rejects. */
  refreshMarketStatus(): Promise<void>
  /** REST snapshots for these tickers arrived (their prices are current as of now). */
  fetched(tickers: string[]): void
  /** A poll's snapshots came (true) or failed (false). */
  polled(ok: boolean): void
  changed(): void
}

export class RestSync {
  private pollTimer: TimerHandle | null = null
  private polling = false
  private retryTimer: TimerHandle | null = null
  private recovering = false
  private failures = 0
  private lastBarsPollAt = -Infinity

  constructor(
    private host: RestSyncHost,
    private o: RestSyncOptions,
  ) {}

  stop(): void {
    for (const t of [this.pollTimer, this.retryTimer]) if (t) this.host.clock.clearTimeout(t)
    this.pollTimer = this.retryTimer = null
    this.polling = false
  }

  /** Starts a backfill when the model wants one and none is in flight or waiting to retry. */
  maybeRecover(): void {
    const state = this.host.connection()
    if (this.recovering || this.retryTimer || state === 'stopped' || state === 'signed_out') return
    if (this.host.model.needsRecovery()) void this.recover()
  }

  /** Tickers fetched over REST on a timer: all while polling, else those the server refused to stream. */
  targets(): string[] {
    const state = this.host.connection()
    if (isPollingState(state)) return this.host.model.tickers()
    return state === 'live' ? this.host.model.tickersWhere('refused') : []
  }

  /** Starts the polling loop when there is something to poll, and ends it when there is not. */
  syncPolling(): void {
    const due = this.targets().length > 0
    if (due === this.polling) return
    this.polling = due
    if (this.pollTimer) this.host.clock.clearTimeout(this.pollTimer)
    this.pollTimer = due ? this.host.clock.setTimeout(() => void this.poll(), 0) : null
  }

  async refreshSnapshots(tickers: readonly string[]): Promise<void> {
    if (tickers.length === 0) return
    const body = await this.host.api.snapshots(tickers)
    this.host.model.applyRestSnapshots(body.results)
    this.host.fetched(body.results.map((r) => r.ticker))
  }

  /** Fetches the recent minutes and hands them to the model, which then applies the held messages. */
  private async recover(): Promise<void> {
    const { model, api, clock } = this.host
    const req = model.beginRecovery(this.host.serverNow())
    if (!req) return
    this.recovering = true
    try {
      const bars = await api.bars({ ticker: req.symbol, timespan: 'minute', from: req.minutesFrom })
      model.applyRecovery(req, bars, this.host.serverNow())
      this.failures = 0
      this.host.backfillOk()
    } catch (e) {
      model.recoveryFailed(req)
      if (!this.host.restError(e)) {
        this.host.backfillFailed(e instanceof Error ? e.message : String(e))
        const delay = Math.min(this.o.barsPollMs, 1000 * 2 ** this.failures++)
        this.retryTimer = clock.setTimeout(() => {
          this.retryTimer = null
          this.maybeRecover()
        }, delay)
      }
    } finally {
      this.recovering = false
    }
    this.host.changed()
  }

  private async poll(): Promise<void> {
    this.pollTimer = null
    const targets = this.targets()
    const ok = await this.refreshSnapshots(targets).then(
      () => true,
      (e) => (this.host.restError(e), false),
    )
    if (targets.length > 0) this.host.polled(ok)
    const chart = this.host.model.chartSymbol()
    const now = this.host.clock.now()
    const barsDue = now - this.lastBarsPollAt >= this.o.barsPollMs
    if (barsDue && isPollingState(this.host.connection())) {
      // Without the stream, the session pill follows the market at the bars' pace.
      this.lastBarsPollAt = now
      await this.host.refreshMarketStatus()
    }
    if (chart && targets.includes(chart) && barsDue && !this.recovering) {
      this.lastBarsPollAt = now
      await this.recover()
    }
    if (this.polling && !this.pollTimer)
      this.pollTimer = this.host.clock.setTimeout(() => void this.poll(), this.o.snapshotPollMs)
    this.host.changed()
  }
}
