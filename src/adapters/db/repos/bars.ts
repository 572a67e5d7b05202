/** BarRepo and TickerRepo over drizzle: idempotent bar upserts, coverage ranges merged on write, splits applied once (serialised per ticker), ticker lookups remembered. */
import { and, asc, desc, eq, gt, gte, lt, lte, sql } from 'drizzle-orm'
import type { Bar } from '../../../core/market-types'
import type { Split } from '../../../core/splits'
import type { BarRepo, TickerRepo } from '../../../ports/repos'
import type { Db } from '../client'
import { appliedSplits, barCoverage, bars, tickers } from '../tables'
import { nextTurn } from '../../host/event-loop-turns'

/**
 * Rows per statement, with a turn of the event loop between statements: PGlite runs on the main
 * thread, and the statements of a long history (50,000 minute bars) chained without a turn stalled
 * every socket for seconds. Each stays within ~50 ms there; postgres-js barely notices.
 */
const upsertChunk = 500
const readPage = 1000

/** Bars as one column array each (text array literals: ten parameters whatever the row count; JS numbers print exactly). */
const column = (list: readonly Bar[], key: keyof Bar) => `{${list.map((b) => b[key]).join(',')}}`

const barColumns = { t: bars.t, o: bars.o, h: bars.h, l: bars.l, c: bars.c, v: bars.v, vw: bars.vw, n: bars.n }

export function createBarRepo(db: Db): BarRepo {
  return {
    async upsert(ticker, timespan, list) {
      for (let i = 0; i < list.length; i += upsertChunk) {
        if (i > 0) await nextTurn()
        const part = list.slice(i, i + upsertChunk)
        await db.execute(sql`
          insert into bars (ticker, timespan, t, o, h, l, c, v, vw, n)
          select ${ticker}, ${timespan}, * from unnest(${column(part, 't')}::bigint[], ${column(part, 'o')}::float8[],
            ${column(part, 'h')}::float8[], ${column(part, 'l')}::float8[], ${column(part, 'c')}::float8[],
            ${column(part, 'v')}::float8[], ${column(part, 'vw')}::float8[], ${column(part, 'n')}::integer[])
          on conflict (ticker, timespan, t) do update set o = excluded.o, h = excluded.h, l = excluded.l,
            c = excluded.c, v = excluded.v, vw = excluded.vw, n = excluded.n`)
      }
    },
    async read(ticker, timespan, from, to) {
      // Page by t, a turn between pages, for the same reason as upsert.
      const out: Bar[] = []
      for (let after = from; ; ) {
        const page = (await db
          .select(barColumns)
          .from(bars)
          .where(and(eq(bars.ticker, ticker), eq(bars.timespan, timespan), gte(bars.t, after), lt(bars.t, to)))
          .orderBy(asc(bars.t))
          .limit(readPage)) as Bar[]
        for (const bar of page) out.push(bar)
        if (page.length < readPage) return out
        after = page[page.length - 1].t + 1
        await nextTurn()
      }
    },
    async coverage(ticker, timespan, from, to) {
      const rows = await db
        .select({ a: barCoverage.fromMs, b: barCoverage.toMs })
        .from(barCoverage)
        .where(
          and(
            eq(barCoverage.ticker, ticker),
            eq(barCoverage.timespan, timespan),
            lt(barCoverage.fromMs, to),
            gt(barCoverage.toMs, from),
          ),
        )
        .orderBy(asc(barCoverage.fromMs))
      return rows.map((r) => [r.a, r.b] as [number, number])
    },
    async lastCoveredBefore(ticker, timespan, before, notBefore) {
      // Coverage is merged on write: one range holds the whole unbroken stretch up to `before`.
      const [range] = await db
        .select({ a: barCoverage.fromMs })
        .from(barCoverage)
        .where(
          and(
            eq(barCoverage.ticker, ticker),
            eq(barCoverage.timespan, timespan),
            lt(barCoverage.fromMs, before),
            gte(barCoverage.toMs, before),
          ),
        )
        .limit(1)
      if (!range) return null
      const [bar] = await db
        .select(barColumns)
        .from(bars)
        .where(
          and(
            eq(bars.ticker, ticker),
            eq(bars.timespan, timespan),
            gte(bars.t, Math.max(range.a, notBefore)),
            lt(bars.t, before),
          ),
        )
        .orderBy(desc(bars.t))
        .limit(1)
      return (bar as Bar | undefined) ?? null
    },
    async addCoverage(ticker, timespan, from, to) {
      await db.transaction(async (tx) => {
        const touching = and(
          eq(barCoverage.ticker, ticker),
          eq(barCoverage.timespan, timespan),
          lte(barCoverage.fromMs, to),
          gte(barCoverage.toMs, from),
        )
        const rows = await tx
          .delete(barCoverage)
          .where(touching)
          .returning({ a: barCoverage.fromMs, b: barCoverage.toMs })
        const a = Math.min(from, ...rows.map((r) => r.a))
        const b = Math.max(to, ...rows.map((r) => r.b))
        await tx.insert(barCoverage).values({ ticker, timespan, fromMs: a, toMs: b })
      })
    },
    async applySplit(split, beforeMs) {
      const { ticker } = split
      return db.transaction(async (tx) => {
        await lockSplitsOf(tx, ticker)
        if (!(await record(tx, split))) return false
        await dropBefore(tx, ticker, beforeMs)
        return true
      })
    },
    async applyNoticedSplit(split, { timespan, bar }, beforeMs) {
      const { ticker } = split
      return db.transaction(async (tx) => {
        await lockSplitsOf(tx, ticker)
        const [still] = await tx
          .select(barColumns)
          .from(bars)
          .where(and(eq(bars.ticker, ticker), eq(bars.timespan, timespan), eq(bars.t, bar.t)))
          .limit(1)
        // Read back as the caller read it: the same values through the same driver, compared exactly.
        if (!still || (['o', 'h', 'l', 'c', 'v'] as const).some((k) => still[k] !== bar[k])) return false
        await record(tx, split)
        await dropBefore(tx, ticker, beforeMs)
        return true
      })
    },
  }
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/** Advisory lock class of split applications (the second key is the ticker's hash); two-key locks do not overlap the migration lock. */
const splitLockClass = 74_218_002

/** Serialises the split applications of one ticker across connections and replicas, to the end of the transaction. */
async function lockSplitsOf(tx: Tx, ticker: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${splitLockClass}::int4, hashtext(${ticker}))`)
}

/** Records a split in applied_splits; false when one of that ticker and day is recorded already. */
async function record(tx: Tx, split: Split): Promise<boolean> {
  const [applied] = await tx
    .insert(appliedSplits)
    .values({ ticker: split.ticker, executionDate: split.executionDate, splitFrom: split.splitFrom, splitTo: split.splitTo })
    .onConflictDoNothing()
    .returning({ ticker: appliedSplits.ticker })
  return applied !== undefined
}

/** Drops a ticker's stored bars (both timespans) before `beforeMs`; coverage before it goes, what a range held from it on stays covered. */
async function dropBefore(tx: Tx, ticker: string, beforeMs: number): Promise<void> {
  await tx.delete(bars).where(and(eq(bars.ticker, ticker), lt(bars.t, beforeMs)))
  const cut = await tx
    .delete(barCoverage)
    .where(and(eq(barCoverage.ticker, ticker), lt(barCoverage.fromMs, beforeMs)))
    .returning({ timespan: barCoverage.timespan, b: barCoverage.toMs })
  const kept = cut.filter((r) => r.b > beforeMs)
  if (kept.length > 0)
    await tx.insert(barCoverage).values(kept.map((r) => ({ ticker, timespan: r.timespan, fromMs: beforeMs, toMs: r.b })))
}

export function createTickerRepo(db: Db): TickerRepo {
  return {
    async known(ticker, maxAgeMs, now) {
      const [row] = await db.select().from(tickers).where(eq(tickers.ticker, ticker)).limit(1)
      if (!row) return null
      if (!row.known && row.checkedAt.getTime() < now - maxAgeMs) return null
      return row.known
    },
    async remember(ticker, known) {
      await db
        .insert(tickers)
        .values({ ticker, known, checkedAt: new Date() })
        .onConflictDoUpdate({ target: tickers.ticker, set: { known, checkedAt: new Date() } })
    },
  }
}
