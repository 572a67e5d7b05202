/** BarRepo and TickerRepo over drizzle: idempotent bar upserts, coverage ranges merged on write, splits applied once, ticker lookups remembered. */
import { and, asc, desc, eq, gt, gte, lt, lte, sql } from 'drizzle-orm'
import type { Bar } from '../../../core/market-types'
import type { BarRepo, TickerRepo } from '../../../ports/repos'
import type { Db } from '../client'
import { appliedSplits, barCoverage, bars, tickers } from '../tables'

/** Rows per INSERT: 10 parameters a row stays far below PostgreSQL's 65,535-parameter limit. */
const upsertChunk = 2000

export function createBarRepo(db: Db): BarRepo {
  return {
    async upsert(ticker, timespan, list) {
      for (let i = 0; i < list.length; i += upsertChunk) {
        const rows = list.slice(i, i + upsertChunk).map((b) => ({ ticker, timespan, ...b }))
        await db
          .insert(bars)
          .values(rows)
          .onConflictDoUpdate({
            target: [bars.ticker, bars.timespan, bars.t],
            set: {
              o: sql`excluded.o`,
              h: sql`excluded.h`,
              l: sql`excluded.l`,
              c: sql`excluded.c`,
              v: sql`excluded.v`,
              vw: sql`excluded.vw`,
              n: sql`excluded.n`,
            },
          })
      }
    },
    async read(ticker, timespan, from, to) {
      return db
        .select({ t: bars.t, o: bars.o, h: bars.h, l: bars.l, c: bars.c, v: bars.v, vw: bars.vw, n: bars.n })
        .from(bars)
        .where(and(eq(bars.ticker, ticker), eq(bars.timespan, timespan), gte(bars.t, from), lt(bars.t, to)))
        .orderBy(asc(bars.t)) as Promise<Bar[]>
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
        .select({ t: bars.t, o: bars.o, h: bars.h, l: bars.l, c: bars.c, v: bars.v, vw: bars.vw, n: bars.n })
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
        const [applied] = await tx
          .insert(appliedSplits)
          .values({ ticker, executionDate: split.executionDate, splitFrom: split.splitFrom, splitTo: split.splitTo })
          .onConflictDoNothing()
          .returning({ ticker: appliedSplits.ticker })
        if (!applied) return false
        await tx.delete(bars).where(and(eq(bars.ticker, ticker), lt(bars.t, beforeMs)))
        // Coverage before the execution date goes; what a range held from it on stays covered.
        const cut = await tx
          .delete(barCoverage)
          .where(and(eq(barCoverage.ticker, ticker), lt(barCoverage.fromMs, beforeMs)))
          .returning({ timespan: barCoverage.timespan, b: barCoverage.toMs })
        const kept = cut.filter((r) => r.b > beforeMs)
        if (kept.length > 0)
          await tx
            .insert(barCoverage)
            .values(kept.map((r) => ({ ticker, timespan: r.timespan, fromMs: beforeMs, toMs: r.b })))
        return true
      })
    },
  }
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
