/** Snapshots for many tickers: live stream state when fresh (source WS), else the upstream snapshot cache (source REST), unknown tickers reported one by one. */
import { AppError, ValidationError } from '../errors'
import { isTickerSyntax, upperAscii } from '../core/validate'
import type { Snapshot, SnapshotError, SnapshotsAnswer } from '../contract/rest'
import type { Clock } from '../ports/clock'
import type { LiveSnapshotSource } from '../ports/live-snapshots'
import type { UpstreamSnapshot } from '../core/market-types'
import type { Market } from '../core/sessions'
import { snapshotFigures } from '../core/snapshot-figures'
import { snapshotQuoteFields } from '../core/quote-state'
import type { BarsService } from './bars-service'
import type { UpstreamSnapshotCache } from './upstream-snapshot-cache'

export interface SnapshotsOptions {
  maxTickers: number
  /** Live state older than this is not "fresh" and the upstream is asked instead. */
  liveFreshMs: number
}

/** Tickers from `tickers=A,B` and/or repeated `tickers=`: normalised, de-duplicated in order, capped. */
export function parseTickerList(values: string[], max: number): string[] {
  const out: string[] = []
  const invalid: string[] = []
  for (const v of values)
    for (const part of v.split(',')) {
      const t = upperAscii(part.trim())
      if (t === '') continue
      if (!isTickerSyntax(t)) invalid.push(part.trim().slice(0, 20))
      else if (!out.includes(t)) out.push(t)
    }
  if (invalid.length > 0)
    throw new ValidationError('INVALID_TICKER', 'some tickers are not valid ticker symbols', {
      tickers: invalid.slice(0, 20),
    })
  if (out.length === 0)
    throw new ValidationError('MISSING_TICKERS', 'give tickers=AAPL,NVDA or repeated tickers= parameters')
  if (out.length > max)
    throw new ValidationError('TOO_MANY_TICKERS', `at most ${max} tickers per request`, { max, count: out.length })
  return out
}

export class SnapshotsService {
  constructor(
    /** Upstream snapshots, shared with the stream's seeds (built before either). */
    private readonly upstreamSnapshots: UpstreamSnapshotCache,
    private readonly bars: Pick<BarsService, 'assertKnown'>,
    private readonly clock: Clock,
    private readonly opts: SnapshotsOptions,
    /** What the stream of this replica knows now. */
    private readonly live: LiveSnapshotSource,
    /** The market's session now (the market-status service's: open around the clock when simulated so). */
    private readonly sessionNow: () => Market,
  ) {}

  async get(rawValues: string[]): Promise<SnapshotsAnswer> {
    const tickers = parseTickerList(rawValues, this.opts.maxTickers)
    const now = this.clock.now()
    const session = this.sessionNow()
    const fromLive = new Map<string, Snapshot>()
    for (const t of tickers) {
      const l = this.live.liveSnapshot(t)
      if (l && now - l.receivedAt <= this.opts.liveFreshMs)
        fromLive.set(t, {
          ticker: t,
          last: l.last,
          change: l.change,
          change_pct: l.change_pct,
          prev_close: l.prev_close,
          bid: l.bid ?? null,
          ask: l.ask ?? null,
          bid_size: l.bid_size ?? null,
          ask_size: l.ask_size ?? null,
          updated_at: new Date(l.updatedAt).toISOString(),
          source: 'WS',
          ...(l.day ? { day: l.day } : {}),
          session,
        })
    }
    const fromUpstream = await this.upstreamSnapshots.get(tickers.filter((t) => !fromLive.has(t)))
    const results: Snapshot[] = []
    const errors: SnapshotError[] = []
    for (const t of tickers) {
      const live = fromLive.get(t)
      if (live) {
        results.push(live)
        continue
      }
      const snap = fromUpstream.get(t)
      if (snap) results.push(toSnapshot(snap, session))
      else errors.push(await this.explainMissing(t))
    }
    return { results, errors }
  }

  private async explainMissing(ticker: string): Promise<SnapshotError> {
    try {
      await this.bars.assertKnown(ticker)
      return { ticker, code: 'SNAPSHOT_UNAVAILABLE', message: 'the provider has no snapshot for this ticker right now' }
    } catch (e) {
      if (e instanceof AppError && e.code === 'UNKNOWN_TICKER')
        return { ticker, code: 'UNKNOWN_TICKER', message: e.message }
      return {
        ticker,
        code: 'SNAPSHOT_UNAVAILABLE',
        message: 'the provider could not be asked about this ticker right now',
      }
    }
  }
}

/** The answer for an upstream snapshot: change figures recomputed once from its last price and previous close. */
function toSnapshot(s: UpstreamSnapshot, session: Market): Snapshot {
  const { change, changePct } = snapshotFigures(s.last, s.prevClose)
  return {
    ticker: s.ticker,
    last: s.last,
    change,
    change_pct: changePct,
    prev_close: s.prevClose,
    ...snapshotQuoteFields(s.lastQuote),
    updated_at: new Date(s.updatedAt).toISOString(),
    source: 'REST',
    session,
    ...(s.day ? { day: { open: s.day.o, high: s.day.h, low: s.day.l, volume: s.day.v, vwap: s.day.vw ?? null } } : {}),
  }
}
