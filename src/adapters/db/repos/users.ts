/** UserRepo over drizzle. */
import { eq, sql } from 'drizzle-orm'
import type { UserRecord, UserRepo } from '../../../ports/repos'
import type { Db } from '../client'
import { users } from '../tables'

/** users.id is a serial (PostgreSQL int4): a larger id names no user, and asking would be a query error. */
const maxUserId = 2_147_483_647
const isUserId = (id: number) => Number.isInteger(id) && id >= 1 && id <= maxUserId

export function createUserRepo(db: Db): UserRepo {
  const one = (rows: UserRecord[]) => rows[0] ?? null
  // Asked once per stream handshake: prepared once, so a reconnect storm does not build the query thousands of times.
  const existsQuery = db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .limit(1)
    .prepare('user_exists')
  return {
    async create(email, passwordHash) {
      return one(await db.insert(users).values({ email, passwordHash }).onConflictDoNothing().returning())
    },
    async findByEmail(email) {
      return one(await db.select().from(users).where(eq(users.email, email)).limit(1))
    },
    async findById(id) {
      if (!isUserId(id)) return null
      return one(await db.select().from(users).where(eq(users.id, id)).limit(1))
    },
    async exists(id) {
      if (!isUserId(id)) return false
      return (await existsQuery.execute({ id })).length > 0
    },
  }
}
