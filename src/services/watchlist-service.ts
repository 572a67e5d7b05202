/** Per-user watchlists: normalised tickers, idempotent adds, a size cap, and observers (the stream) told of removals. */
import { AuthError, ConflictError, NotFoundError } from '../errors'
import { normaliseTicker } from '../core/validate'
import type { WatchlistEntry, WatchlistRepo } from '../ports/repos'

export interface WatchlistEvents {
  /** Called after a ticker leaves a user's watchlist (the stream ends that subscription). */
  removed(userId: number, ticker: string): void
}

export class WatchlistService {
  private readonly observers = new Set<WatchlistEvents>()

  constructor(
    private repo: WatchlistRepo,
    private cap: number,
    /** Resolves false for tickers the market does not know. */
    private isKnownTicker: (ticker: string) => Promise<boolean>,
  ) {}

  /** Tells `events` of every later removal (the stream ends that subscription); returns a function that stops it. */
  observe(events: WatchlistEvents): () => void {
    this.observers.add(events)
    return () => this.observers.delete(events)
  }

  list(userId: number): Promise<WatchlistEntry[]> {
    return this.repo.list(userId)
  }

  /** The given tickers that are not on the user's watchlist (one query). */
  missing(userId: number, tickers: string[]): Promise<string[]> {
    return this.repo.missing(userId, tickers)
  }

  async add(userId: number, raw: unknown): Promise<{ added: boolean; items: WatchlistEntry[] }> {
    const ticker = normaliseTicker(raw)
    if ((await this.repo.missing(userId, [ticker])).length > 0 && !(await this.isKnownTicker(ticker)))
      throw new NotFoundError('UNKNOWN_TICKER', `ticker ${ticker} is not known to the market data provider`, { ticker })
    const outcome = await this.repo.add(userId, ticker, this.cap)
    // A valid token whose account was deleted: the credentials no longer name anyone.
    if (outcome === 'no_user') throw new AuthError('USER_NOT_FOUND', 'the account of this token no longer exists; sign in again')
    if (outcome === 'full')
      throw new ConflictError('WATCHLIST_FULL', `a watchlist holds at most ${this.cap} tickers`, { max: this.cap })
    return { added: outcome === 'added', items: await this.repo.list(userId) }
  }

  async remove(userId: number, raw: unknown): Promise<WatchlistEntry[]> {
    const ticker = normaliseTicker(raw)
    if (!(await this.repo.remove(userId, ticker)))
      throw new NotFoundError('NOT_IN_WATCHLIST', `${ticker} is not on your watchlist`, { ticker })
    for (const events of this.observers) events.removed(userId, ticker)
    return this.repo.list(userId)
  }
}
