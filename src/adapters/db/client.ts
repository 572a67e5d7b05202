/** createDb: PGlite in a data folder (embedded default) or PostgreSQL via postgres-js, behind one drizzle type. */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
// Embedded as files so `bun build --compile` ships PGlite's runtime inside the binary.
import pgliteWasmPath from '../../../node_modules/@electric-sql/pglite/dist/pglite.wasm' with { type: 'file' }
import initdbWasmPath from '../../../node_modules/@electric-sql/pglite/dist/initdb.wasm' with { type: 'file' }
import pgliteDataPath from '../../../node_modules/@electric-sql/pglite/dist/pglite.data' with { type: 'file' }
import { backoff, type BackoffPolicy } from '../../core/backoff'
import * as tables from './tables'
import { lockDataDir } from './data-dir-lock'
import { applyMigrations, migrationLockKey } from './migrations'

export type Db = PgDatabase<PgQueryResultHKT, typeof tables>

export interface DbHandle {
  db: Db
  kind: 'pglite' | 'postgres'
  /** Resolves when a trivial query succeeds; rejects otherwise (readiness). */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface DbOptions {
  /** PostgreSQL URL, or null for PGlite. */
  databaseUrl: string | null
  /** PGlite data folder; 'memory://' keeps it in memory (tests). */
  dataDir: string
  /** postgres-js pool size. */
  maxConnections?: number
  /** postgres-js: give up opening a connection after this many seconds. @default 10 */
  connectTimeoutSec?: number
}

/**
 * How long postgres-js waits before reopening a pooled connection that closed, by the number of
 * connections that closed with an error since the last good connect. Its default grows to 20 s
 * (3^n / 100 s), so after a database restart that reset ten pooled connections the first requests
 * each waited seconds for a reconnect (found by the restart fault test). Capped far inside
 * DB_DEADLINE_MS; reconnects are made only for a waiting query, so there is no loop to slow down.
 */
const reconnectBackoff: BackoffPolicy = { baseMs: 20, maxMs: 250, minMs: 10 }
const reconnectDelaySec = (closesWithError: number) => backoff(closesWithError, Math.random, reconnectBackoff) / 1000

/** PostgreSQL settings for the embedded engine (see docs/operations.md, PGlite memory). */
const pgliteSettings = ['shared_buffers=16MB', 'temp_buffers=2MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'wal_buffers=1MB']

async function openPglite(dataDir: string): Promise<PGlite> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true })
  const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
    WebAssembly.compile(await Bun.file(pgliteWasmPath).arrayBuffer()),
    WebAssembly.compile(await Bun.file(initdbWasmPath).arrayBuffer()),
  ])
  const fsBundle = new Blob([await Bun.file(pgliteDataPath).arrayBuffer()])
  return PGlite.create({
    dataDir: dataDir.startsWith('memory://') ? undefined : dataDir,
    pgliteWasmModule,
    initdbWasmModule,
    fsBundle,
    // An embedded database for one process: PostgreSQL's server-sized defaults (128 MB of shared buffers) made up much of the resident size.
    startParams: [...PGlite.defaultStartParams, ...pgliteSettings.flatMap((s) => ['-c', s])],
  })
}

/** Opens the database and applies the committed migrations before returning. */
export async function createDb(opts: DbOptions): Promise<DbHandle> {
  if (opts.databaseUrl) {
    await migratePostgres(opts.databaseUrl)
    const client = postgres(opts.databaseUrl, {
      max: opts.maxConnections ?? 10,
      onnotice: () => {},
      connect_timeout: opts.connectTimeoutSec ?? 10,
      // Pooled connections are renewed, so one a restart left half-dead is not kept for long.
      idle_timeout: 60,
      max_lifetime: 30 * 60,
      backoff: reconnectDelaySec,
    })
    const db = drizzlePostgres(client, { schema: tables }) as unknown as Db
    const handle: DbHandle = {
      db,
      kind: 'postgres',
      ping: async () => void (await db.execute(sql`select 1`)),
      close: () => client.end({ timeout: 5 }),
    }
    return handle
  }
  const inMemory = opts.dataDir.startsWith('memory://')
  // Before anything touches the folder: a second process on it would lose one side's writes (PGlite has no postmaster.pid).
  const unlock = inMemory ? () => {} : lockDataDir(opts.dataDir)
  try {
    if (!inMemory && !existsSync(join(opts.dataDir, 'PG_VERSION'))) {
      // First start: the instance that runs initdb keeps ~450 MB of wasm memory for its life; initialise in a throwaway one.
      await (await openPglite(opts.dataDir)).close()
      for (let i = 0; i < 3; i++) {
        Bun.gc(true)
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    const client = await openPglite(opts.dataDir)
    const db = drizzlePglite(client, { schema: tables }) as unknown as Db
    await applyMigrations(db)
    return {
      db,
      kind: 'pglite',
      ping: async () => void (await db.execute(sql`select 1`)),
      close: () => client.close().finally(unlock),
    }
  } catch (error) {
    unlock()
    throw error
  }
}

/** Migrates over one dedicated connection holding a session advisory lock, so concurrent replicas migrate once. */
async function migratePostgres(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 })
  try {
    await client`select pg_advisory_lock(${migrationLockKey})`
    await applyMigrations(drizzlePostgres(client, { schema: tables }) as unknown as Db)
    await client`select pg_advisory_unlock(${migrationLockKey})`
  } finally {
    await client.end({ timeout: 5 })
  }
}
