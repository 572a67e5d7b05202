/** Upstream snapshots shared by the REST endpoint and stream seeds: a short-lived bounded cache, calls in flight joined, seeds gathered into one provider call. */
import { BoundedCache } from '../core/bounded-cache'
import type { Clock, TimerHandle } from '../ports/clock'
import type { UpstreamRest } from '../ports/upstream'
import type { UpstreamSnapshot } from '../core/market-types'

/** How long the first seed of a batch waits for others to share its provider call (injected clock). */
export const SEED_BATCH_WINDOW_MS = 50
/** Most tickers a seed batch gathers before it goes at once: MassiveRest's default snapshotBatchSize, so one batch is one request. */
const SEED_BATCH_MAX_TICKERS = 250
/** Cached tickers kept; the least recently used are forgotten first. */
const MAX_CACHED_TICKERS = 10_000

export interface UpstreamSnapshotCacheOptions {
  /** Upstream snapshots are reused this long after their call was sent. */
  cacheTtlMs: number
  /** @default SEED_BATCH_WINDOW_MS */
  seedWindowMs?: number
  /** @default SEED_BATCH_MAX_TICKERS */
  seedBatchMax?: number
}

/** A provider answer for one ticker: its snapshot, or null when the provider has none. */
type Answer = UpstreamSnapshot | null

/** Tickers gathered for the next provider call, and the promise their callers wait on. */
interface Batch {
  tickers: string[]
  /** A REST request joined: the call is interactive; seeds alone are background (they stop short of the budget's interactive reserve). */
  interactive: boolean
  done: Promise<Map<string, UpstreamSnapshot>>
  resolve(got: Map<string, UpstreamSnapshot>): void
  reject(error: unknown): void
}

/**
 * A ticker is fresh in the cache, waiting (in the pending batch or in a call on its way), or neither;
 * only the last joins a batch, so no ticker is asked for twice at once. A failed call caches nothing
 * and rejects everyone who waited on it.
 */
export class UpstreamSnapshotCache {
  private readonly cache: BoundedCache<string, Answer>
  /** Tickers in the pending batch or in a call not yet answered, with the promise of their answer and that batch. */
  private readonly waiting = new Map<string, { answer: Promise<Answer>; batch: Batch }>()
  private pending: Batch | null = null
  private timer: TimerHandle | null = null
  private readonly windowMs: number
  private readonly batchMax: number

  constructor(
    private readonly upstream: UpstreamRest,
    private readonly clock: Clock,
    private readonly opts: UpstreamSnapshotCacheOptions,
  ) {
    this.windowMs = opts.seedWindowMs ?? SEED_BATCH_WINDOW_MS
    this.batchMax = opts.seedBatchMax ?? SEED_BATCH_MAX_TICKERS
    this.cache = new BoundedCache({ maxEntries: MAX_CACHED_TICKERS, ttlMs: opts.cacheTtlMs, now: () => clock.now() })
  }

  /** Answers for `tickers` (a REST request): what is missing goes upstream now, together with any seeds still gathering. */
  get(tickers: string[]): Promise<Map<string, Answer>> {
    return this.ask(tickers, true)
  }

  /** One ticker for a stream seed: from the cache when fresh, else from a call shared with the seeds of the next window. */
  seed(ticker: string): Promise<Answer> {
    if (this.enqueue([ticker]) > 0) {
      if (this.pending!.tickers.length >= this.batchMax) this.send()
      else this.timer ??= this.clock.setTimeout(() => this.send(), this.windowMs)
    }
    return this.answer(ticker, false)
  }

  /** Forgets a ticker's cached answer (its prices changed scale: a split); the next ask goes upstream. */
  forget(ticker: string): void {
    this.cache.delete(ticker)
  }

  /** A REST request: sends the pending batch at once (as interactive) when it holds any of `tickers`. */
  private async ask(tickers: string[], mayRetry: boolean): Promise<Map<string, Answer>> {
    this.enqueue(tickers)
    const pending = this.pending
    if (pending !== null && tickers.some((t) => this.waiting.get(t)?.batch === pending)) {
      pending.interactive = true
      this.send()
    }
    const answers = await Promise.all(tickers.map((t) => this.answer(t, mayRetry)))
    return new Map(tickers.map((t, i) => [t, answers[i]!]))
  }

  /** Adds the tickers that are neither fresh nor already waiting to the pending batch; returns how many. */
  private enqueue(tickers: string[]): number {
    let added = 0
    for (const ticker of tickers) {
      if (this.waiting.has(ticker) || this.cache.has(ticker)) continue
      const batch = (this.pending ??= openBatch())
      batch.tickers.push(ticker)
      this.waiting.set(ticker, { answer: batch.done.then((got) => got.get(ticker) ?? null), batch })
      added++
    }
    return added
  }

  /**
   * The answer of a ticker enqueue() has just seen: waiting, or fresh in the cache. A REST request
   * that joined a seeds-only call asks once more on its own if that call fails (a background call
   * is refused where an interactive one may still spend the budget's reserve).
   */
  private answer(ticker: string, retryAsInteractive: boolean): Promise<Answer> {
    const waiting = this.waiting.get(ticker)
    if (waiting === undefined) return Promise.resolve(this.cache.get(ticker) ?? null)
    if (!retryAsInteractive || waiting.batch.interactive) return waiting.answer
    return waiting.answer.catch(() => this.ask([ticker], false).then((got) => got.get(ticker) ?? null))
  }

  /** Sends the pending batch as one provider call; its answers fill the cache before any waiter hears of them. */
  private send(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    const batch = this.pending
    if (batch === null) return
    this.pending = null
    const sentAt = this.clock.now()
    const priority = batch.interactive ? 'interactive' : 'background'
    const call = (async () => this.upstream.fetchSnapshots(batch.tickers, priority))()
    call.then(
      (got) => {
        // Fresh for cacheTtlMs after the call was sent, as before it was answered.
        const ttlMs = sentAt + this.opts.cacheTtlMs - this.clock.now()
        for (const t of batch.tickers) {
          this.cache.set(t, got.get(t) ?? null, ttlMs)
          this.waiting.delete(t)
        }
        batch.resolve(got)
      },
      (error) => {
        for (const t of batch.tickers) this.waiting.delete(t)
        batch.reject(error)
      },
    )
  }
}

function openBatch(): Batch {
  const { promise, resolve, reject } = Promise.withResolvers<Map<string, UpstreamSnapshot>>()
  return { tickers: [], interactive: false, done: promise, resolve, reject }
}
