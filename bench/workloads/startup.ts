/** Workload 6: the compiled binary's time from exec to ready (/readyz 200) and idle RSS, on PGlite and PostgreSQL, first start and restart. */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { procUsage } from '../lib/child'
import { createDatabase, dropDatabase } from '../lib/pg'
import { median, round, sleep } from '../lib/stats'

export interface StartupSettings {
  runs: number
  /** Idle time after ready before RSS is read. */
  idleMs: number
  binary: string
}

export interface StartupRun {
  readyMs: number
  rssMB: number
}

export interface StartupResult {
  engine: 'pglite' | 'postgres'
  status: 'ok' | 'failed'
  note?: string
  /** Fresh data folder / fresh database: includes initdb (PGlite) and migrations. */
  first?: StartupRun
  /** Restarts on the same data: median of the runs. */
  restart?: StartupRun & { runs: number; readyMsAll: number[] }
}

const root = join(import.meta.dir, '..', '..')

/** Builds the single binary with the project's flags into `outfile`; returns build time and size. */
export async function buildBinary(outfile: string): Promise<{ buildMs: number; sizeMB: number; command: string }> {
  const args = ['build', '--compile', '--minify', 'src/main.ts', '--outfile', relative(root, outfile)]
  const t0 = performance.now()
  const p = Bun.spawn(['bun', ...args], { cwd: root, stdout: 'ignore', stderr: 'pipe' })
  if ((await p.exited) !== 0) throw new Error(`bun build failed: ${await new Response(p.stderr).text()}`)
  return {
    buildMs: Math.round(performance.now() - t0),
    sizeMB: round(statSync(outfile).size / 2 ** 20, 1),
    command: `bun ${args.join(' ')}`,
  }
}

/** One start: exec → /readyz answers 200; then idle, read RSS, SIGTERM. */
async function startOnce(binary: string, env: Record<string, string>, idleMs: number): Promise<StartupRun> {
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  const t0 = performance.now()
  const proc = Bun.spawn([binary], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env } as Record<string, string>,
    stdout: 'ignore',
    stderr: 'pipe',
  })
  try {
    let readyMs = -1
    while (performance.now() - t0 < 30_000 && proc.exitCode === null) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false)
      if (ok) {
        readyMs = performance.now() - t0
        break
      }
      await sleep(5)
    }
    if (readyMs < 0) throw new Error(`not ready within 30 s: ${await new Response(proc.stderr).text()}`)
    await sleep(idleMs)
    const rss = (await procUsage(proc.pid))?.rssBytes ?? 0
    return { readyMs: round(readyMs, 0), rssMB: round(rss / 2 ** 20, 1) }
  } finally {
    proc.kill('SIGTERM')
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000)
    await proc.exited
    clearTimeout(t)
  }
}

export async function runStartup(
  engine: 'pglite' | 'postgres',
  s: StartupSettings,
  log: (m: string) => void,
): Promise<StartupResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mw-bench-start-'))
  let db: { name: string; url: string } | null = null
  try {
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      JWT_SECRET: 'bench-start-secret-0123456789-abcdefghij',
    }
    if (engine === 'postgres') {
      db = await createDatabase('start')
      env.DATABASE_URL = db.url
    }
    const first = await startOnce(s.binary, env, s.idleMs)
    const runs: StartupRun[] = []
    for (let i = 0; i < s.runs; i++) runs.push(await startOnce(s.binary, env, s.idleMs))
    const restart = {
      readyMs: round(median(runs.map((r) => r.readyMs))),
      rssMB: round(median(runs.map((r) => r.rssMB)), 1),
      runs: runs.length,
      readyMsAll: runs.map((r) => r.readyMs),
    }
    log(
      `  ${engine}: first start ready in ${first.readyMs} ms (${first.rssMB} MB); restart ${restart.readyMs} ms (${restart.rssMB} MB)`,
    )
    return { engine, status: 'ok', first, restart }
  } catch (e) {
    return { engine, status: 'failed', note: e instanceof Error ? e.message.slice(0, 500) : String(e) }
  } finally {
    if (db) await dropDatabase(db.name).catch(() => {})
    rmSync(dataDir, { recursive: true, force: true })
  }
}
