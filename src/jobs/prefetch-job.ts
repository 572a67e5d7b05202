/** Background job: keeps recent minute bars of every watched ticker stored and repairs gaps; one replica at a time. */
import type { Logger } from '../ports/logger'
import type { BarsService } from '../services/bars-service'
import type { Clock, TimerHandle } from '../ports/clock'
import type { JobLock } from '../ports/job-lock'
import type { WatchlistRepo } from '../ports/repos'
import type { UpstreamRest } from '../ports/upstream'
import { MINUTE_MS } from '../core/market-time'

export interface PrefetchOptions {
  intervalMs: number
  /** How far back minute bars are kept stored. */
  windowMs: number
}

export interface PrefetchStatus {
  status: 'idle' | 'running' | 'stopped'
  lastRunAt: string | null
  lastTickers: number
  lastGapsFilled: number
  lastError: string | null
}

export class PrefetchJob {
  private timer: TimerHandle | null = null
  private state: PrefetchStatus = {
    status: 'idle',
    lastRunAt: null,
    lastTickers: 0,
    lastGapsFilled: 0,
    lastError: null,
  }

  constructor(
    private watchlists: WatchlistRepo,
    private bars: BarsService,
    private upstream: UpstreamRest,
    private lock: JobLock,
    private clock: Clock,
    private log: Logger,
    private opts: PrefetchOptions,
  ) {}

  start(): void {
    if (this.opts.intervalMs <= 0 || this.state.status === 'stopped') return
    this.timer = this.clock.setTimeout(() => void this.tick(), this.opts.intervalMs)
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer)
    this.state.status = 'stopped'
  }

  status(): PrefetchStatus {
    return { ...this.state }
  }

  /** One pass over every watched ticker (skipped when another replica holds the job). */
  async runOnce(): Promise<boolean> {
    return this.lock.runExclusive('prefetch', Math.max(this.opts.intervalMs, 60_000), async () => {
      this.state.status = 'running'
      const now = this.clock.now()
      const from = Math.floor((now - this.opts.windowMs) / MINUTE_MS) * MINUTE_MS
      let gaps = 0
      const tickers = await this.watchlists.allTickers()
      try {
        for (const ticker of tickers) {
          // Background calls may not spend the budget's interactive reserve: stop at it rather than be refused.
          const { remaining, reservedInteractive } = this.upstream.status().budget
          if (remaining !== null && remaining <= (reservedInteractive ?? 0)) break
          gaps += await this.bars.ensureStored(ticker, 'minute', from, now, 'background')
        }
        this.state.lastError = null
      } catch (e) {
        this.state.lastError = e instanceof Error ? e.message : String(e)
        this.log.warn('prefetch pass failed', { error: this.state.lastError })
      } finally {
        Object.assign(this.state, {
          status: 'idle',
          lastRunAt: new Date(now).toISOString(),
          lastTickers: tickers.length,
          lastGapsFilled: gaps,
        })
      }
    })
  }

  private async tick(): Promise<void> {
    await this.runOnce().catch((e) => this.log.error('prefetch crashed', { error: String(e) }))
    if (this.state.status !== 'stopped') this.start()
  }
}
