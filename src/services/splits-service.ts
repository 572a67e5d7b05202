/** Splits: asks the provider which splits took effect lately and applies each once (stored bars before the execution date dropped, to be fetched again adjusted), also those only its bars show; then every replica forgets the ticker's cached bars and snapshots and its stream subscribers are told to reload. */
import { nyDateOf, splitEffectiveMs, splitOfRatio, splitStartMs, type Split } from '../core/splits'
import type { Bus } from '../ports/bus'
import type { Clock, TimerHandle } from '../ports/clock'
import type { JobLock } from '../ports/job-lock'
import type { Logger } from '../ports/logger'
import type { BarRepo, StoredBarRef } from '../ports/repos'
import type { UpstreamSplits } from '../ports/upstream-splits'

/** Bus topic on which the replica that applied a split tells the others. */
const splitTopic = 'ctl:split'

export interface SplitsServiceOptions {
  /** How often the provider is asked; 0 = never on a timer (runOnce only). */
  intervalMs: number
  /** How far back a split is still applied if it was not yet (a replica down over its execution date). */
  lookbackDays: number
}

export interface SplitsStatus {
  lastRunAt: string | null
  /** Splits this process applied since start. */
  applied: number
  /** Of those, splits the splits reference did not list but the provider's bars showed (applyNoticed). */
  noticedInBars: number
  lastError: string | null
}

export interface SplitsServiceDeps {
  upstream: UpstreamSplits
  repo: Pick<BarRepo, 'applySplit' | 'applyNoticedSplit'>
  bus: Bus
  lock: JobLock
  clock: Clock
  log: Logger
  /** What each replica does once a split was applied (here or elsewhere): forget cached bars and snapshots, reset the stream. */
  onSplit: (split: Split) => void
}

/** How soon a replica whose first pass found the job lock unavailable tries again. */
const firstPassRetryMs = 30_000

export class SplitsService {
  private timer: TimerHandle | null = null
  private started = false
  /** Whether the last pass took the job lock. */
  private ran = false
  private stopped = false
  private unsubscribe: (() => void) | null = null
  private readonly state: SplitsStatus = { lastRunAt: null, applied: 0, noticedInBars: 0, lastError: null }
  /** When the next split the provider announced takes effect (the timer wakes then rather than up to a period late). */
  private nextEffectiveAt = Infinity

  constructor(
    private readonly deps: SplitsServiceDeps,
    private readonly opts: SplitsServiceOptions,
  ) {}

  /**
   * Listens for splits other replicas apply, and asks the provider every intervalMs (when > 0),
   * first right away (a replica restarted after a split took effect applies it now, not a period
   * later) without waiting for the answer: start-up and readiness do not depend on the provider.
   */
  start(): void {
    this.unsubscribe ??= this.deps.bus.subscribe(splitTopic, (payload) => this.heard(payload))
    if (this.opts.intervalMs <= 0 || this.started || this.stopped) return
    this.started = true
    this.tick()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) this.deps.clock.clearTimeout(this.timer)
    this.timer = null
    this.unsubscribe?.()
  }

  status(): SplitsStatus {
    return { ...this.state }
  }

  /**
   * One pass (one replica at a time): the provider's splits of the lookback window that are in
   * effect (from 04:00 New York of the execution date), each applied once across replicas; returns
   * those this call applied (empty when another replica held the job). Splits announced for the
   * coming week set when the timer wakes next.
   */
  async runOnce(): Promise<Split[]> {
    const applied: Split[] = []
    this.ran = await this.deps.lock.runExclusive('splits', 60_000, async () => {
      const now = this.deps.clock.now()
      this.state.lastRunAt = new Date(now).toISOString()
      try {
        const listed = await this.deps.upstream.fetchSplits(
          nyDateOf(now - this.opts.lookbackDays * 86_400_000),
          nyDateOf(now + 7 * 86_400_000),
        )
        this.nextEffectiveAt = Math.min(Infinity, ...listed.map(splitEffectiveMs).filter((at) => at > now))
        for (const split of listed) {
          if (splitEffectiveMs(split) > now) continue
          if (!(await this.deps.repo.applySplit(split, splitStartMs(split)))) continue
          applied.push(split)
          this.took(split, 'splits_reference')
        }
        this.state.lastError = null
      } catch (e) {
        this.state.lastError = e instanceof Error ? e.message : String(e)
        this.deps.log.warn('splits pass failed', { error: this.state.lastError })
      }
    })
    return applied
  }

  /**
   * A split the provider's bars show: `compared`, a stored final bar, came back divided by `ratio`
   * (bars-service), whether or not the splits reference listed a split (lag, a plan without it, a
   * split announced late, or the provider adjusting its history after the listed split was applied
   * and the old scale stored again). When it took effect is unknown, so every stored bar of the
   * ticker is dropped. The notice is its own evidence: it is applied when the compared bar is still
   * stored as compared, whatever split of the ticker was recorded that day, so once per rescale
   * across concurrent requests and replicas (the others find the bar gone). Recorded under today's
   * New York date unless a split of that day is, so a listed split of the day later finds it done.
   * Resolves true when the stored bars the notice saw are gone now (dropped here or before), false
   * when that could not be done (the database failed: nothing may be stored next to them); never rejects.
   */
  async applyNoticed(ticker: string, ratio: number, compared: StoredBarRef): Promise<boolean> {
    const now = this.deps.clock.now()
    const split: Split = { ticker, executionDate: nyDateOf(now), ...splitOfRatio(ratio) }
    try {
      if (await this.deps.repo.applyNoticedSplit(split, compared, now)) this.took(split, 'bars_rescaled')
      return true
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e)
      this.deps.log.warn('split noticed in bars not applied', { ...split, error })
      return false
    }
  }

  /** A split this replica applied: counted, logged with why, told to the other replicas, and acted on here. */
  private took(split: Split, reason: 'splits_reference' | 'bars_rescaled'): void {
    this.state.applied++
    if (reason === 'bars_rescaled') this.state.noticedInBars++
    this.deps.log.info('split applied: stored bars before it dropped', { ...split, reason })
    this.deps.bus.publish(splitTopic, JSON.stringify(split))
    this.deps.onSplit(split)
  }

  private heard(payload: string): void {
    let split: Split
    try {
      split = JSON.parse(payload) as Split
    } catch {
      return
    }
    if (typeof split?.ticker !== 'string') return
    this.deps.onSplit(split)
  }

  private tick(): void {
    void this.runOnce().finally(() => {
      if (this.stopped) return
      const untilNext = this.nextEffectiveAt - this.deps.clock.now()
      let delay = untilNext > 0 ? Math.min(this.opts.intervalMs, untilNext) : this.opts.intervalMs
      // No pass has run here yet and the lock was not taken (another replica's pass, or the lock's
      // store unreachable at boot): ask again soon rather than a whole period later.
      if (!this.ran && this.state.lastRunAt === null) delay = Math.min(delay, firstPassRetryMs)
      this.timer = this.deps.clock.setTimeout(() => this.tick(), delay)
    })
  }
}
