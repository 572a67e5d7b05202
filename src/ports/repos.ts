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
}

export interface WatchlistEntry {
  ticker: string
  addedAt: Date
}

export type AddOutcome = 'added' | 'exists' | 'full'

export interface WatchlistRepo {
  /** Entries in insertion order. */
  list(userId: number): Promise<WatchlistEntry[]>
  /** Atomically adds unless present or the user already holds `cap` entries (serialised per user). */
  add(userId: number, ticker: string, cap: number): Promise<AddOutcome>
  /** True when the entry existed. */
  remove(userId: number, ticker: string): Promise<boolean>
  contains(userId: number, ticker: string): Promise<boolean>
  /** Every ticker on any watchlist (for prefetch). */
  allTickers(): Promise<string[]>
}
