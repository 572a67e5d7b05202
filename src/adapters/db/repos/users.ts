/** UserRepo over drizzle. */
import { eq } from 'drizzle-orm'
import type { UserRecord, UserRepo } from '../../../ports/repos'
import type { Db } from '../client'
import { users } from '../tables'

export function createUserRepo(db: Db): UserRepo {
  const one = (rows: UserRecord[]) => rows[0] ?? null
  return {
    async create(email, passwordHash) {
      return one(await db.insert(users).values({ email, passwordHash }).onConflictDoNothing().returning())
    },
    async findByEmail(email) {
      return one(await db.select().from(users).where(eq(users.email, email)).limit(1))
    },
    async findById(id) {
      return one(await db.select().from(users).where(eq(users.id, id)).limit(1))
    },
  }
}
