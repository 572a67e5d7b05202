/** Bars: stored base bars filled from the upstream on demand (each final range fetched once, a split the stored ones missed noticed on the way), larger buckets derived, pages by cursor. */
import { aggregateBars, baseTimespanFor } from '../core/bars'
import { regularHoursOnly } from '../core/regular-hours'
import type { BarsPage } from '../contract/rest'
import { BoundedCache } from '../core/bounded-cache'
import { SingleFlight } from '../core/single-flight'
import type { BarCursorCodec } from '../core/bar-cursor'
import { type BarQuery, nextCursor } from '../core/bar-query'
import { type Range, mergeRanges, missingRanges, segments } from '../core/coverage'
import { MINUTE_MS, DAY_MS, bucketStart, nextBucketStart, nyDayStart } from '../core/market-time'
import { NotFoundError } from '../errors'
import type { Clock } from '../ports/clock'
import type { BarRepo, TickerRepo } from '../ports/repos'
import type { RequestPriority, UpstreamRest } from '../ports/upstream'
import type { Bar, BaseTimespan } from '../core/market-types'
import { type CheckedBars, type RescaleCheck, type RescaleNotice, fetchChecked } from './bars-rescale'

export interface BarsServiceOptions {
  /** Minutes the provider may still correct after they close (Massive re-sends within 15 minutes). */
  correctionWindowMs: number
  /** How long the not-yet-final tail of a range is reused before asking the upstream again. */
  tailTtlMs: number
  /** Base bars per upstream call (the provider's limit is 50,000). */
  maxBarsPerCall: number
  /** How long an "unknown ticker" answer is trusted. */
  unknownTickerTtlMs: number
  /** Bytes of serialised all-final pages kept in memory (0 = none). */
  finalPageCacheBytes: number
  /** Signs next_cursor (the routes read cursors back with the same codec). */
  cursors: BarCursorCodec
}

/** Since start: pages answered from the all-final page cache or by a query; upstream fetches of stored gaps and of the forming tail. */
export interface BarsStats {
  pagesFromCache: number
  pagesQueried: number
  upstreamGapFetches: number
  upstreamTailFetches: number
}

const unitMs: Record<BaseTimespan, number> = { minute: MINUTE_MS, day: DAY_MS }
/** Bounds of the in-memory caches: entries, and how long an entry lives (memory is released even for values that never change). */
const cacheBounds = {
  tails: 5_000,
  knownTickers: 50_000,
  knownTickersTtlMs: 24 * 3_600_000,
  covered: 20_000,
  coveredTtlMs: 3_600_000,
  finalPages: 100_000,
  finalPagesTtlMs: 3_600_000,
}

export class BarsService {
  /** Upstream calls in flight (lookups, gap fills, tails), shared by concurrent callers of one key. */
  private readonly inflight = new SingleFlight()
  private readonly tails: BoundedCache<string, Bar[]>
  /** Tickers the upstream confirmed: known stays known, so the database is not asked again. */
  private readonly knownTickers: BoundedCache<string, true>
  /** Ranges this process has seen covered, per ticker|base. Coverage only grows, so a stale copy only costs a database look. */
  private readonly coveredHere: BoundedCache<string, Range[]>
  /** Serialised all-final pages, bounded by finalPageCacheBytes. */
  private readonly finalPages: BoundedCache<string, string>
  /** Fetches next to stored bars compare one stored bar with the provider's (bars-rescale.ts). */
  private readonly rescaleCheck: RescaleCheck
  private readonly counts: BarsStats = {
    pagesFromCache: 0,
    pagesQueried: 0,
    upstreamGapFetches: 0,
    upstreamTailFetches: 0,
  }

  constructor(
    private upstream: UpstreamRest,
    private repo: BarRepo,
    private tickers: TickerRepo,
    private clock: Clock,
    private opts: BarsServiceOptions,
    noticeRescale: RescaleNotice,
  ) {
    const now = () => clock.now()
    // The notice applied the split here or, a moment earlier, on another replica whose word may still be on the bus.
    const notice: RescaleNotice = (ticker, ratio, compared) =>
      noticeRescale(ticker, ratio, compared).finally(() => this.forgetTicker(ticker))
    this.rescaleCheck = { repo, upstream, notice }
    this.tails = new BoundedCache({ maxEntries: cacheBounds.tails, ttlMs: opts.tailTtlMs, now })
    this.knownTickers = new BoundedCache({ maxEntries: cacheBounds.knownTickers, ttlMs: cacheBounds.knownTickersTtlMs, now })
    this.coveredHere = new BoundedCache({ maxEntries: cacheBounds.covered, ttlMs: cacheBounds.coveredTtlMs, now })
    this.finalPages = new BoundedCache({
      maxEntries: cacheBounds.finalPages,
      ttlMs: cacheBounds.finalPagesTtlMs,
      now,
      maxWeight: opts.finalPageCacheBytes,
      weigh: (json) => json.length,
    })
  }

  /** 404 UNKNOWN_TICKER unless the upstream knows the ticker (asked once, remembered in the database). */
  async assertKnown(ticker: string): Promise<void> {
    if (this.knownTickers.has(ticker)) return
    let known = await this.tickers.known(ticker, this.opts.unknownTickerTtlMs, this.clock.now())
    if (known === null) {
      known = await this.once(`lookup|${ticker}`, 'interactive', () => this.upstream.lookupTicker(ticker))
      await this.tickers.remember(ticker, known)
    }
    if (known) this.knownTickers.set(ticker, true)
    if (!known)
      throw new NotFoundError('UNKNOWN_TICKER', `ticker ${ticker} is not known to the market data provider`, { ticker })
  }

  /**
   * The page serialised as JSON. A page made only of final bars never changes, so its text is kept
   * (bounded LRU) and a repeat costs no query and no serialisation.
   */
  async pageJson(q: BarQuery): Promise<string> {
    const key = `${q.ticker}|${q.timespan}|${q.multiplier}|${q.fromMs}|${q.toMs}|${q.limit}|${q.session}`
    const hit = this.finalPages.get(key)
    if (hit !== undefined) {
      this.counts.pagesFromCache++
      return hit
    }
    const page = await this.page(q)
    this.counts.pagesQueried++
    const json = JSON.stringify(page)
    const end = nextBucketStart(q.timespan, q.multiplier, bucketStart(q.timespan, q.multiplier, q.toMs))
    if (end <= this.finalBoundary(baseTimespanFor(q.timespan), this.clock.now()) && json.length < 2_000_000)
      this.finalPages.set(key, json)
    return json
  }

  async page(q: BarQuery): Promise<BarsPage> {
    await this.assertKnown(q.ticker)
    const base = baseTimespanFor(q.timespan)
    const now = this.clock.now()
    const end = Math.min(
      nextBucketStart(q.timespan, q.multiplier, bucketStart(q.timespan, q.multiplier, q.toMs)),
      now + 1,
    )
    const stored = q.fromMs < end ? await this.baseBars(q.ticker, base, q.fromMs, end, now) : []
    // Regular session only: minute bars outside the day's regular hours are left out before any aggregation.
    const base$ = q.session === 'regular' && base === 'minute' ? regularHoursOnly(stored) : stored
    const all = q.timespan === base && q.multiplier === 1 ? base$ : aggregateBars(base$, q.timespan, q.multiplier)
    const inRange = all.filter((b) => b.t >= q.fromMs && b.t <= q.toMs)
    // A bucket is final once all of it lies before the first instant whose base bars may still change.
    const boundary = this.finalBoundary(base, now)
    const results = inRange
      .slice(0, q.limit)
      .map((b) => ({ ...b, final: nextBucketStart(q.timespan, q.multiplier, b.t) <= boundary }))
    const last = results[results.length - 1]
    const more = inRange.length > q.limit
    return {
      ticker: q.ticker,
      timespan: q.timespan,
      multiplier: q.multiplier,
      results,
      next_cursor:
        more && last ? nextCursor(this.opts.cursors, q, nextBucketStart(q.timespan, q.multiplier, last.t)) : null,
    }
  }

  /**
   * Forgets what this process remembers of a ticker's bars (cached pages, the forming tail, covered
   * ranges): after a split its stored history was dropped and is fetched again on the new scale.
   */
  forgetTicker(ticker: string): void {
    const prefix = `${ticker}|`
    for (const cache of [this.finalPages, this.tails, this.coveredHere]) cache.deleteWhere((key) => key.startsWith(prefix))
  }

  stats(): BarsStats {
    return { ...this.counts }
  }

  /**
   * Makes sure the final part of [from, to) is stored (prefetch and gap repair); returns how many gaps
   * were fetched. Upstream calls are `background` by default: they stop short of the budget's interactive reserve.
   */
  async ensureStored(
    ticker: string,
    base: BaseTimespan,
    from: number,
    to: number,
    priority: RequestPriority = 'background',
  ): Promise<number> {
    const end = Math.min(to, this.finalBoundary(base, this.clock.now()))
    if (from >= end) return 0
    const gaps = missingRanges(await this.repo.coverage(ticker, base, from, end), from, end).length
    // A split noticed on the way dropped the stored history: the range is fetched again on the new scale.
    if (gaps > 0 && (await this.fill(ticker, base, from, end, priority)))
      await this.fill(ticker, base, from, end, priority)
    return gaps
  }

  /** The first instant whose base bars may still change: before it, stored bars are final. */
  finalBoundary(base: BaseTimespan, now: number): number {
    const settled = now - this.opts.correctionWindowMs
    return base === 'minute' ? Math.floor(settled / MINUTE_MS) * MINUTE_MS : nyDayStart(settled)
  }

  /**
   * Base bars in [from, to): the final part from storage (filled once), the rest fresh from the
   * upstream. When a fill or the tail showed the stored history on an old scale, it was dropped and
   * is filled again before it is read, so the answer is on the new scale.
   */
  private async baseBars(ticker: string, base: BaseTimespan, from: number, to: number, now: number): Promise<Bar[]> {
    const boundary = this.finalBoundary(base, now)
    const finalEnd = Math.min(to, boundary)
    const filled = from < finalEnd && (await this.fill(ticker, base, from, finalEnd, 'interactive'))
    const tail = to > boundary ? await this.tail(ticker, base, boundary, now) : null
    if (from < finalEnd && (filled || tail?.rescaled)) await this.fill(ticker, base, from, finalEnd, 'interactive')
    const stored = from < finalEnd ? await this.repo.read(ticker, base, from, finalEnd) : []
    if (!tail) return stored
    return stored.concat(tail.bars.filter((b) => b.t >= Math.max(from, boundary) && b.t < to))
  }

  /**
   * Fetches every uncovered part of a final range once, in provider-sized segments, and records it
   * covered; true when a segment showed the stored history on an old scale.
   */
  private async fill(
    ticker: string,
    base: BaseTimespan,
    from: number,
    to: number,
    priority: RequestPriority,
  ): Promise<boolean> {
    const key = `${ticker}|${base}`
    if (missingRanges(this.coveredHere.get(key) ?? [], from, to).length === 0) return false
    const covered = await this.repo.coverage(ticker, base, from, to)
    const missing = missingRanges(covered, from, to)
    if (missing.length === 0) {
      this.rememberCovered(key, covered)
      return false
    }
    let rescaled = false
    for (const gap of missing)
      for (const seg of segments(gap, this.opts.maxBarsPerCall * unitMs[base])) {
        const call = `fill|${ticker}|${base}|${seg[0]}|${seg[1]}`
        if (await this.once(call, priority, () => this.fetchSegment(ticker, base, seg, priority))) rescaled = true
      }
    return rescaled
  }

  private async fetchSegment(
    ticker: string,
    base: BaseTimespan,
    [a, b]: Range,
    priority: RequestPriority,
  ): Promise<boolean> {
    // Another request may have covered it while this one waited for its turn.
    if (missingRanges(await this.repo.coverage(ticker, base, a, b), a, b).length === 0) return false
    this.counts.upstreamGapFetches++
    const { bars, rescaled } = await fetchChecked(this.rescaleCheck, ticker, base, [a, b], priority)
    await this.repo.upsert(ticker, base, bars)
    await this.repo.addCoverage(ticker, base, a, b)
    this.rememberCovered(`${ticker}|${base}`, [[a, b]])
    return rescaled
  }

  private rememberCovered(key: string, ranges: readonly Range[]): void {
    this.coveredHere.set(key, mergeRanges([...(this.coveredHere.get(key) ?? []), ...ranges]))
  }

  /** The not-yet-final bars from `boundary` to now, reused for tailTtlMs, fetched once however many ask at once. */
  private async tail(ticker: string, base: BaseTimespan, boundary: number, now: number): Promise<CheckedBars> {
    const key = `${ticker}|${base}`
    const cached = this.tails.get(key)
    if (cached) return { bars: cached, rescaled: false }
    const fetched = await this.once(`tail|${key}`, 'interactive', () => {
      this.counts.upstreamTailFetches++
      return fetchChecked(this.rescaleCheck, ticker, base, [boundary, now + 1], 'interactive')
    })
    this.tails.set(key, fetched.bars, now + this.opts.tailTtlMs - this.clock.now())
    return fetched
  }

  /**
   * Single flight: concurrent callers with the same key share one promise. An interactive caller
   * that joined a background call asks again itself if that call fails (the budget refuses
   * background calls where interactive ones may still spend its reserve).
   */
  private once<T>(key: string, priority: RequestPriority, fn: () => Promise<T>): Promise<T> {
    return this.inflight.run(key, fn, priority === 'interactive')
  }
}

