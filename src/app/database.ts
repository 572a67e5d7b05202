/** The database and its repositories: PGlite in the data folder (or in memory) or PostgreSQL, every repository call answering within a deadline. */
import { join } from 'node:path'
import type { Config } from '../config'
import type { Clock } from '../ports/clock'
import { createDb, type DbHandle } from '../adapters/db/client'
import { guardCall, guardRepo } from '../adapters/db/guard'
import { createBarRepo, createTickerRepo } from '../adapters/db/repos/bars'
import { createUserRepo } from '../adapters/db/repos/users'
import { createWatchlistRepo } from '../adapters/db/repos/watchlist'

/** PostgreSQL when a database URL is configured, else PGlite in DATA_DIR/pglite (a memory:// data folder as is). */
export function openDatabase(config: Config): Promise<DbHandle> {
  const dataDir = config.dataDir.startsWith('memory://') ? config.dataDir : join(config.dataDir, 'pglite')
  return createDb({
    databaseUrl: config.databaseUrl,
    dataDir,
    connectTimeoutSec: Math.max(1, Math.ceil(config.timeouts.databaseMs / 1000)),
  })
}

/**
 * The repositories, every call answering within a deadline, so an unreachable database is 503
 * DATABASE_UNAVAILABLE, never a hang or a 500: bars within the request timeout, the rest within the database's.
 */
export function createRepos(db: DbHandle, config: Config, clock: Clock) {
  const quick = { deadlineMs: config.timeouts.databaseMs, clock }
  const bulk = { deadlineMs: config.timeouts.requestMs, clock }
  return {
    users: guardRepo(createUserRepo(db.db), quick),
    watchlist: guardRepo(createWatchlistRepo(db.db), quick),
    tickers: guardRepo(createTickerRepo(db.db), quick),
    bars: guardRepo(createBarRepo(db.db), bulk),
    /** `select 1` within the database timeout (the readiness check). */
    ping: () => guardCall(db.ping, quick),
  }
}
