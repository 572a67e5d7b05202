/** Bars: stored base bars filled from the upstream on demand (each final range fetched once), larger buckets derived, pages by cursor. */
import { aggregateBars, baseTimespanFor } from '../../../core/bars'
import type { BarCursorCodec } from '../../../core/bar-cursor'
import { type BarQuery, nextCursor } from '../../../core/bar-query'
import { type Range, mergeRanges, missingRanges, segments } from '../../../core/coverage'
import { MINUTE_MS, DAY_MS, bucketStart, nextBucketStart, nyDayStart } from '../../../core/market-time'
import { NotFoundError } from '../../../errors'
import type { Clock } from '../../../ports/clock'
import type { BarRepo, TickerRepo } from '../../../ports/repos'
import type { Bar, BaseTimespan, UpstreamRest } from '../../../ports/upstream'

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

export interface BarsPage {
  ticker: string
  timespan: string
  multiplier: number
  results: Bar[]
  next_cursor: string | null
}

/** Since start: pages answered from the all-final page cache or by a query; upstream fetches of stored gaps and of the forming tail. */
export interface BarsStats {
  pagesFromCache: number
  pagesQueried: number
  upstreamGapFetches: number
  upstreamTailFetches: number
}

const unitMs: Record<BaseTimespan, number> = { minute: MINUTE_MS, day: DAY_MS }

export class BarsService {
  private inflight = new Map<string, Promise<unknown>>()
  private tails = new Map<string, { at: number; bars: Bar[] }>()
  /** Tickers the upstream confirmed: known stays known, so the database is not asked again. */
  private knownTickers = new Set<string>()
  /** Ranges this process has seen covered, per ticker|base. Coverage only grows, so a stale copy only costs a database look. */
  private coveredHere = new Map<string, Range[]>()
  private finalPages = new Map<string, string>()
  private finalPagesBytes = 0
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
  ) {}

  /** 404 UNKNOWN_TICKER unless the upstream knows the ticker (asked once, remembered in the database). */
  async assertKnown(ticker: string): Promise<void> {
    if (this.knownTickers.has(ticker)) return
    let known = await this.tickers.known(ticker, this.opts.unknownTickerTtlMs, this.clock.now())
    if (known === null) {
      known = await this.once(`lookup|${ticker}`, () => this.upstream.lookupTicker(ticker))
      await this.tickers.remember(ticker, known)
    }
    if (!known)
      throw new NotFoundError('UNKNOWN_TICKER', `ticker ${ticker} is not known to the market data provider`, { ticker })
  }

  /**
   * The page serialised as JSON. A page made only of final bars never changes, so its text is kept
   * (bounded LRU) and a repeat costs no query and no serialisation.
   */
  async pageJson(q: BarQuery): Promise<string> {
    const key = `${q.ticker}|${q.timespan}|${q.multiplier}|${q.fromMs}|${q.toMs}|${q.limit}`
    const hit = this.finalPages.get(key)
    if (hit !== undefined) {
      this.counts.pagesFromCache++
      this.finalPages.delete(key)
      this.finalPages.set(key, hit)
      return hit
    }
    const page = await this.page(q)
    this.counts.pagesQueried++
    const json = JSON.stringify(page)
    const end = nextBucketStart(q.timespan, q.multiplier, bucketStart(q.timespan, q.multiplier, q.toMs))
    if (end <= this.finalBoundary(baseTimespanFor(q.timespan), this.clock.now()) && json.length < 2_000_000) {
      this.finalPages.set(key, json)
      this.finalPagesBytes += json.length
      for (const [k, v] of this.finalPages) {
        if (this.finalPagesBytes <= this.opts.finalPageCacheBytes) break
        this.finalPages.delete(k)
        this.finalPagesBytes -= v.length
      }
    }
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
    const base$ = q.fromMs < end ? await this.baseBars(q.ticker, base, q.fromMs, end, now) : []
    const all = q.timespan === base && q.multiplier === 1 ? base$ : aggregateBars(base$, q.timespan, q.multiplier)
    const inRange = all.filter((b) => b.t >= q.fromMs && b.t <= q.toMs)
    const results = inRange.slice(0, q.limit)
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

  stats(): BarsStats {
    return { ...this.counts }
  }

  /** Makes sure the final part of [from, to) is stored (prefetch and gap repair); returns how many gaps were fetched. */
  async ensureStored(ticker: string, base: BaseTimespan, from: number, to: number): Promise<number> {
    const end = Math.min(to, this.finalBoundary(base, this.clock.now()))
    if (from >= end) return 0
    const gaps = missingRanges(await this.repo.coverage(ticker, base, from, end), from, end).length
    if (gaps > 0) await this.fill(ticker, base, from, end)
    return gaps
  }

  /** The first instant whose base bars may still change: before it, stored bars are final. */
  finalBoundary(base: BaseTimespan, now: number): number {
    const settled = now - this.opts.correctionWindowMs
    return base === 'minute' ? Math.floor(settled / MINUTE_MS) * MINUTE_MS : nyDayStart(settled)
  }

  /** Base bars in [from, to): the final part from storage (filled once), the rest fresh from the upstream. */
  private async baseBars(ticker: string, base: BaseTimespan, from: number, to: number, now: number): Promise<Bar[]> {
    const boundary = this.finalBoundary(base, now)
    const finalEnd = Math.min(to, boundary)
    if (from < finalEnd) await this.fill(ticker, base, from, finalEnd)
    const stored = from < finalEnd ? await this.repo.read(ticker, base, from, finalEnd) : []
    if (to <= boundary) return stored
    const tail = await this.tail(ticker, base, boundary, now)
    return stored.concat(tail.filter((b) => b.t >= Math.max(from, boundary) && b.t < to))
  }

  /** Fetches every uncovered part of a final range once, in provider-sized segments, and records it covered. */
  private async fill(ticker: string, base: BaseTimespan, from: number, to: number): Promise<void> {
    const key = `${ticker}|${base}`
    if (missingRanges(this.coveredHere.get(key) ?? [], from, to).length === 0) return
    const covered = await this.repo.coverage(ticker, base, from, to)
    const missing = missingRanges(covered, from, to)
    if (missing.length === 0) return this.rememberCovered(key, covered)
    for (const gap of missing)
      for (const seg of segments(gap, this.opts.maxBarsPerCall * unitMs[base]))
        await this.once(`fill|${ticker}|${base}|${seg[0]}|${seg[1]}`, () => this.fetchSegment(ticker, base, seg))
  }

  private async fetchSegment(ticker: string, base: BaseTimespan, [a, b]: Range): Promise<void> {
    // Another request may have covered it while this one waited for its turn.
    if (missingRanges(await this.repo.coverage(ticker, base, a, b), a, b).length === 0) return
    this.counts.upstreamGapFetches++
    const bars = await this.upstream.fetchBars(ticker, base, a, b)
    await this.repo.upsert(ticker, base, bars)
    await this.repo.addCoverage(ticker, base, a, b)
    this.rememberCovered(`${ticker}|${base}`, [[a, b]])
  }

  private rememberCovered(key: string, ranges: readonly Range[]): void {
    this.coveredHere.set(key, mergeRanges([...(this.coveredHere.get(key) ?? []), ...ranges]))
    if (this.coveredHere.size > 20_000) this.coveredHere.delete(this.coveredHere.keys().next().value!)
  }

  /** The not-yet-final bars from `boundary` to now, reused for tailTtlMs, fetched once however many ask at once. */
  private async tail(ticker: string, base: BaseTimespan, boundary: number, now: number): Promise<Bar[]> {
    const key = `${ticker}|${base}`
    const cached = this.tails.get(key)
    if (cached && now - cached.at < this.opts.tailTtlMs) return cached.bars
    const bars = await this.once(`tail|${key}`, () => {
      this.counts.upstreamTailFetches++
      return this.upstream.fetchBars(ticker, base, boundary, now + 1)
    })
    this.tails.set(key, { at: now, bars })
    if (this.tails.size > 5000) this.tails.delete(this.tails.keys().next().value!)
    return bars
  }

  /** Single flight: concurrent callers with the same key share one promise. */
  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const existing = this.inflight.get(key)
    if (existing) return existing as Promise<T>
    const p = fn().finally(() => this.inflight.delete(key))
    this.inflight.set(key, p)
    return p
  }
}
