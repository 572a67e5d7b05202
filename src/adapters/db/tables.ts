/** Drizzle table definitions: the single source of database truth (migrations are generated from it). */
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

export const watchlistItems = pgTable(
  'watchlist_items',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    ticker: text('ticker').notNull(),
    /** Insertion order; the list is shown in this order. */
    position: bigint('position', { mode: 'number' }).notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.ticker] }), index('watchlist_items_ticker_idx').on(t.ticker)],
)

/** Base bars (minute and day) as fetched from the upstream; larger buckets are derived. */
export const bars = pgTable(
  'bars',
  {
    ticker: text('ticker').notNull(),
    timespan: text('timespan', { enum: ['minute', 'day'] }).notNull(),
    /** Unix ms start of the window. */
    t: bigint('t', { mode: 'number' }).notNull(),
    o: doublePrecision('o').notNull(),
    h: doublePrecision('h').notNull(),
    l: doublePrecision('l').notNull(),
    c: doublePrecision('c').notNull(),
    v: doublePrecision('v').notNull(),
    vw: doublePrecision('vw').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticker, t.timespan, t.t] })],
)

/** Half-open ranges [fromMs, toMs) of base bars known to be complete and final in `bars`. */
export const barCoverage = pgTable(
  'bar_coverage',
  {
    id: serial('id').primaryKey(),
    ticker: text('ticker').notNull(),
    timespan: text('timespan', { enum: ['minute', 'day'] }).notNull(),
    fromMs: bigint('from_ms', { mode: 'number' }).notNull(),
    toMs: bigint('to_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('bar_coverage_lookup_idx').on(t.ticker, t.timespan, t.fromMs)],
)

/** Tickers the upstream was asked about: known or unknown, so lookups are not repeated. */
export const tickers = pgTable('tickers', {
  ticker: text('ticker').primaryKey(),
  known: boolean('known').notNull(),
  checkedAt: timestamp('checked_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
})

/** Splits already applied to `bars` (once each, whichever replica got there first): stored bars before the execution date were dropped. */
export const appliedSplits = pgTable(
  'applied_splits',
  {
    ticker: text('ticker').notNull(),
    /** YYYY-MM-DD, New York. */
    executionDate: text('execution_date').notNull(),
    splitFrom: doublePrecision('split_from').notNull(),
    splitTo: doublePrecision('split_to').notNull(),
    appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ticker, t.executionDate] })],
)
