/** Upstream snapshots shared by the REST endpoint and stream seeds: a short-lived cache, calls in flight joined, seeds gathered into one provider call. */
import type { Clock, TimerHandle } from '../../../ports/clock'
import type { UpstreamRest, UpstreamSnapshot } from '../../../ports/upstream'

/** How long the first seed of a batch waits for others to share its provider call (injected clock). */
export const SEED_BATCH_WINDOW_MS = 50
/** Most tickers a seed batch gathers before it goes at once: MassiveRest's default snapshotBatchSize, so one batch is one request. */
export const SEED_BATCH_MAX_TICKERS = 250
/** Cached tickers kept; the oldest are forgotten first. */
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
  private readonly cache = new Map<string, { at: number; snap: Answer }>()
  /** Tickers in the pending batch or in a call not yet answered, with the promise of their answer. */
  private readonly waiting = new Map<string, Promise<Answer>>()
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
  }

  /** Answers for `tickers` (a REST request): what is missing goes upstream now, together with any seeds still gathering. */
  async get(tickers: string[]): Promise<Map<string, Answer>> {
    if (this.enqueue(tickers) > 0) this.send()
    const answers = await Promise.all(tickers.map((t) => this.answer(t)))
    return new Map(tickers.map((t, i) => [t, answers[i]!]))
  }

  /** One ticker for a stream seed: from the cache when fresh, else from a call shared with the seeds of the next window. */
  seed(ticker: string): Promise<Answer> {
    if (this.enqueue([ticker]) > 0) {
      if (this.pending!.tickers.length >= this.batchMax) this.send()
      else this.timer ??= this.clock.setTimeout(() => this.send(), this.windowMs)
    }
    return this.answer(ticker)
  }

  /** Adds the tickers that are neither fresh nor already waiting to the pending batch; returns how many. */
  private enqueue(tickers: string[]): number {
    const now = this.clock.now()
    let added = 0
    for (const ticker of tickers) {
      if (this.waiting.has(ticker) || this.fresh(ticker, now)) continue
      const batch = (this.pending ??= openBatch())
      batch.tickers.push(ticker)
      this.waiting.set(
        ticker,
        batch.done.then((got) => got.get(ticker) ?? null),
      )
      added++
    }
    return added
  }

  /** The answer of a ticker enqueue() has just seen: waiting, or fresh in the cache. */
  private answer(ticker: string): Promise<Answer> {
    return this.waiting.get(ticker) ?? Promise.resolve(this.cache.get(ticker)?.snap ?? null)
  }

  /** Sends the pending batch as one provider call; its answers fill the cache before any waiter hears of them. */
  private send(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    const batch = this.pending
    if (batch === null) return
    this.pending = null
    const sentAt = this.clock.now()
    const call = (async () => this.upstream.fetchSnapshots(batch.tickers))()
    call.then(
      (got) => {
        for (const t of batch.tickers) {
          this.cache.delete(t)
          this.cache.set(t, { at: sentAt, snap: got.get(t) ?? null })
          this.waiting.delete(t)
        }
        this.trim()
        batch.resolve(got)
      },
      (error) => {
        for (const t of batch.tickers) this.waiting.delete(t)
        batch.reject(error)
      },
    )
  }

  private fresh(ticker: string, now: number): boolean {
    const c = this.cache.get(ticker)
    return c !== undefined && now - c.at < this.opts.cacheTtlMs
  }

  private trim(): void {
    while (this.cache.size > MAX_CACHED_TICKERS) this.cache.delete(this.cache.keys().next().value!)
  }
}

function openBatch(): Batch {
  const { promise, resolve, reject } = Promise.withResolvers<Map<string, UpstreamSnapshot>>()
  return { tickers: [], done: promise, resolve, reject }
}
