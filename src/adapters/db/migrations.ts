/** The committed drizzle-kit migrations, embedded as text so the compiled binary carries them; applied under a lock. */
import { createHash } from 'node:crypto'
import journal from '../../../drizzle/meta/_journal.json'
import m0000 from '../../../drizzle/0000_init.sql' with { type: 'text' }
import m0001 from '../../../drizzle/0001_calendar_market_refetch.sql' with { type: 'text' }
import m0002 from '../../../drizzle/0002_applied_splits.sql' with { type: 'text' }
import type { Db } from './client'

/** One entry per drizzle/*.sql file, in journal order (a test checks the two agree). */
const embeddedMigrations: Record<string, string> = {
  '0000_init': m0000,
  '0001_calendar_market_refetch': m0001,
  '0002_applied_splits': m0002,
}

interface MigrationMeta {
  sql: string[]
  bps: boolean
  folderMillis: number
  hash: string
}

function readEmbedded(): MigrationMeta[] {
  return journal.entries.map((entry) => {
    const text = embeddedMigrations[entry.tag]
    if (text === undefined) throw new Error(`migration ${entry.tag} is in the journal but not embedded`)
    return {
      sql: text.split('--> statement-breakpoint'),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: createHash('sha256').update(text).digest('hex'),
    }
  })
}

/** Arbitrary constant: the advisory lock that serialises migrations across replicas starting together. */
export const migrationLockKey = 74_218_001

/**
 * Applies every migration not yet applied, exactly as drizzle's migrator would (it is the same
 * dialect.migrate call, fed from embedded text instead of the folder). On PostgreSQL the caller
 * passes a single-connection db and holds migrationLockKey around this call.
 */
export async function applyMigrations(db: Db): Promise<void> {
  const internal = db as unknown as {
    dialect: { migrate(m: MigrationMeta[], s: unknown, c: object): Promise<void> }
    session: unknown
  }
  await internal.dialect.migrate(readEmbedded(), internal.session, { migrationsFolder: '' })
}
