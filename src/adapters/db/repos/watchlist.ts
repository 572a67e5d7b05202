/** WatchlistRepo over drizzle: per-user order, idempotent adds, a cap enforced under a per-user row lock. */
import { and, asc, count, eq, inArray, max, sql } from 'drizzle-orm'
import type { WatchlistRepo } from '../../../ports/repos'
import type { Db } from '../client'
import { users, watchlistItems } from '../tables'

export function createWatchlistRepo(db: Db): WatchlistRepo {
  return {
    async list(userId) {
      return db
        .select({ ticker: watchlistItems.ticker, addedAt: watchlistItems.addedAt })
        .from(watchlistItems)
        .where(eq(watchlistItems.userId, userId))
        .orderBy(asc(watchlistItems.position))
    },
    async add(userId, ticker, cap) {
      return db.transaction(async (tx) => {
        // Locking the user row serialises concurrent adds of one user, so the cap cannot be overshot.
        const owner = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update')
        if (owner.length === 0) return 'no_user'
        const [stats] = await tx
          .select({ n: count(), top: max(watchlistItems.position) })
          .from(watchlistItems)
          .where(eq(watchlistItems.userId, userId))
        const exists = await tx
          .select({ t: watchlistItems.ticker })
          .from(watchlistItems)
          .where(and(eq(watchlistItems.userId, userId), eq(watchlistItems.ticker, ticker)))
        if (exists.length > 0) return 'exists'
        if (Number(stats?.n ?? 0) >= cap) return 'full'
        await tx.insert(watchlistItems).values({ userId, ticker, position: Number(stats?.top ?? 0) + 1 })
        return 'added'
      })
    },
    async remove(userId, ticker) {
      const rows = await db
        .delete(watchlistItems)
        .where(and(eq(watchlistItems.userId, userId), eq(watchlistItems.ticker, ticker)))
        .returning({ t: watchlistItems.ticker })
      return rows.length > 0
    },
    async missing(userId, tickers) {
      if (tickers.length === 0) return []
      const rows = await db
        .select({ t: watchlistItems.ticker })
        .from(watchlistItems)
        .where(and(eq(watchlistItems.userId, userId), inArray(watchlistItems.ticker, tickers)))
      const present = new Set(rows.map((r) => r.t))
      return tickers.filter((t) => !present.has(t))
    },
    async allTickers() {
      const rows = await db
        .selectDistinct({ t: watchlistItems.ticker })
        .from(watchlistItems)
        .orderBy(sql`1`)
      return rows.map((r) => r.t)
    },
  }
}
