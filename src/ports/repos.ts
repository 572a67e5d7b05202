/** Repository ports the services depend on; implemented over drizzle in adapters/db/repos (PGlite and PostgreSQL alike). */

export interface UserRecord {
  id: number
  email: string
  passwordHash: string
  createdAt: Date
}

export interface UserRepo {
  /** Inserts a user; returns null when the email is taken (never throws for that). */
  create(email: string, passwordHash: string): Promise<UserRecord | null>
  findByEmail(email: string): Promise<UserRecord | null>
  findById(id: number): Promise<UserRecord | null>
  /** True when a user with this id exists (one primary-key lookup; false for ids no user can have). */
  exists(id: number): Promise<boolean>
}

export interface WatchlistEntry {
  ticker: string
  addedAt: Date
}

/** no_user: the user row is gone (a deleted account with a still-valid token). */
export type AddOutcome = 'added' | 'exists' | 'full' | 'no_user'

export interface WatchlistRepo {
  /** Entries in insertion order. */
  list(userId: number): Promise<WatchlistEntry[]>
  /** Atomically adds unless present or the user already holds `cap` entries (serialised per user). */
  add(userId: number, ticker: string, cap: number): Promise<AddOutcome>
  /** True when the entry existed. */
  remove(userId: number, ticker: string): Promise<boolean>
  /** The given tickers that are not on the user's watchlist, in the given order (one query). */
  missing(userId: number, tickers: string[]): Promise<string[]>
  /** Every ticker on any watchlist (for prefetch). */
  allTickers(): Promise<string[]>
}

/** Stored base bars and the ranges known to be complete (coverage); ranges are half-open [from, to). */
export interface BarRepo {
  /** Inserts or replaces bars by (ticker, timespan, t). */
  upsert(ticker: string, timespan: 'minute' | 'day', bars: import('./upstream').Bar[]): Promise<void>
  /** Bars with from <= t < to, ascending. */
  read(ticker: string, timespan: 'minute' | 'day', from: number, to: number): Promise<import('./upstream').Bar[]>
  /** Covered ranges overlapping [from, to). */
  coverage(ticker: string, timespan: 'minute' | 'day', from: number, to: number): Promise<[number, number][]>
  /**
   * The newest stored bar in [notBefore, before) from which coverage runs unbroken to `before` (so
   * the provider has no other bar between the two), or null.
   */
  lastCoveredBefore(
    ticker: string,
    timespan: 'minute' | 'day',
    before: number,
    notBefore: number,
  ): Promise<import('./upstream').Bar | null>
  /** Records [from, to) as covered, merging with overlapping or adjacent ranges. */
  addCoverage(ticker: string, timespan: 'minute' | 'day', from: number, to: number): Promise<void>
  /**
   * Applies a split once (whoever asks first): records it, and drops the ticker's stored bars (both
   * timespans) starting before `beforeMs` with their coverage, in one transaction. True when this
   * call applied it; false when it was applied before.
   */
  applySplit(split: import('../core/splits').Split, beforeMs: number): Promise<boolean>
  /**
   * Applies a split noticed in the provider's bars: when `compared` (a stored bar the provider now
   * serves on another scale) is still stored as it was compared, drops every stored bar of the
   * ticker starting before `beforeMs` with its coverage and records the split unless a split of that
   * ticker and day is recorded already (which does not stop the drop); true then. False when the bar
   * is no longer stored as compared: the history it belonged to was dropped before (another notice,
   * here or on another replica, or a listed split). Serialised per ticker with applySplit.
   */
  applyNoticedSplit(split: import('../core/splits').Split, compared: StoredBarRef, beforeMs: number): Promise<boolean>
}

/** One stored base bar as a caller read it. */
export interface StoredBarRef {
  timespan: 'minute' | 'day'
  bar: import('./upstream').Bar
}

/** What the upstream said about a ticker, so the question is asked once. */
export interface TickerRepo {
  /** true / false when known, null when never asked (or the answer is older than maxAgeMs). */
  known(ticker: string, maxAgeMs: number, now: number): Promise<boolean | null>
  remember(ticker: string, known: boolean): Promise<void>
}
