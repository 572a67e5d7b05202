/** Workload 5: REST bars (one day of stored minute bars) and snapshots (50 tickers) under concurrency, against the raw SQL for the same rows, on PostgreSQL and PGlite. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Child, CpuMeter } from '../lib/child'
import { createDatabase, dropDatabase } from '../lib/pg'
import { profileFlags } from '../lib/service'
import { median, ratio, round } from '../lib/stats'

export interface RestSettings {
  engines: ('postgres' | 'pglite')[]
  concurrency: number
  durationMs: number
  rounds: number
}

interface Phase {
  rps: number
  p50: number
  p99: number
  requests: number
}

export interface RestEngineResult {
  engine: 'postgres' | 'pglite'
  status: 'ok' | 'failed'
  note?: string
  day?: string
  rows?: { http: number; raw: number }
  bars?: { http: Phase; raw: Phase; ratio: number | null }
  snapshots?: { http: Phase; raw: Phase; ratio: number | null }
  /** Cores used while the HTTP phases ran (server process, load generator), per endpoint. */
  cpu?: { bars: { server: number; loadgen: number }; snapshots: { server: number; loadgen: number } }
  statuses?: Record<string, number>
}

const dir = join(import.meta.dir, '..', 'load')

/** The median round by rps, with its own latencies. */
function pick(rounds: Phase[]): Phase {
  const m = median(rounds.map((r) => r.rps))
  const best = rounds.reduce((a, b) => (Math.abs(b.rps - m) < Math.abs(a.rps - m) ? b : a))
  return { rps: Math.round(m), p50: best.p50, p99: best.p99, requests: rounds.reduce((a, r) => a + r.requests, 0) }
}

export async function runRestEngine(
  engine: 'postgres' | 'pglite',
  s: RestSettings,
  log: (m: string) => void,
): Promise<RestEngineResult> {
  let db: { name: string; url: string } | null = null
  let dataDir: string | null = null
  let server: Child | null = null
  let load: Child | null = null
  try {
    const env: Record<string, string> = { JWT_SECRET: 'bench-rest-secret-0123456789-abcdefghijkl' }
    if (engine === 'postgres') {
      db = await createDatabase('rest')
      env.DATABASE_URL = db.url
      env.DATA_DIR = mkdtempSync(join(tmpdir(), 'mw-bench-rest-'))
      dataDir = env.DATA_DIR
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'mw-bench-rest-'))
      env.DATA_DIR = dataDir
    }
    server = new Child(`rest-${engine}`, ['bun', ...profileFlags(), join(dir, 'rest-server.ts'), JSON.stringify(env)])
    const { url } = await server.next((m) => m.ready, 60_000)
    const seed = await server.ask('seed', { tickers: 50 }, 120_000)
    log(`  ${engine}: seeded ${seed.httpRows} minute bars × 50 tickers for ${seed.day} in ${seed.seedMs} ms`)
    load = new Child('http-load', ['bun', join(dir, 'http-load.ts')])
    const srv = server
    const lg = load
    const cpuServer = new CpuMeter(() => [srv.pid])
    const cpuLoad = new CpuMeter(() => [lg.pid])
    const out = { barsHttp: [] as Phase[], barsRaw: [] as Phase[], snapHttp: [] as Phase[], snapRaw: [] as Phase[] }
    const statuses: Record<string, number> = {}
    const cpu = { bars: { server: 0, loadgen: 0 }, snapshots: { server: 0, loadgen: 0 } }
    const http = async (path: string, which: 'bars' | 'snapshots') => {
      await Promise.all([cpuServer.start(), cpuLoad.start()])
      const r = await lg.ask(
        'run',
        { url: `${url}${path}`, token: seed.token, concurrency: s.concurrency, durationMs: s.durationMs },
        s.durationMs + 60_000,
      )
      cpu[which].server += (await cpuServer.end()) / s.rounds
      cpu[which].loadgen += (await cpuLoad.end()) / s.rounds
      for (const [k, v] of Object.entries(r.statuses as Record<string, number>)) statuses[k] = (statuses[k] ?? 0) + v
      return r as unknown as Phase
    }
    const raw = async (which: string) =>
      (await srv.ask(
        'raw',
        { which, concurrency: s.concurrency, durationMs: s.durationMs },
        s.durationMs + 60_000,
      )) as unknown as Phase
    for (let i = 0; i < s.rounds; i++) {
      out.barsRaw.push(await raw('bars'))
      out.barsHttp.push(await http(seed.barsPath, 'bars'))
      out.snapRaw.push(await raw('snapshots'))
      out.snapHttp.push(await http(seed.snapshotsPath, 'snapshots'))
    }
    const bars = { http: pick(out.barsHttp), raw: pick(out.barsRaw), ratio: null as number | null }
    bars.ratio = ratio(bars.http.rps, bars.raw.rps)
    const snapshots = { http: pick(out.snapHttp), raw: pick(out.snapRaw), ratio: null as number | null }
    snapshots.ratio = ratio(snapshots.http.rps, snapshots.raw.rps)
    log(
      `  ${engine}: bars ${bars.http.rps}/s vs raw ${bars.raw.rps}/s (×${bars.ratio}); snapshots ${snapshots.http.rps}/s vs raw ${snapshots.raw.rps}/s`,
    )
    return {
      engine,
      status: 'ok',
      day: seed.day,
      rows: { http: seed.httpRows, raw: seed.rawRows },
      bars,
      snapshots,
      cpu: {
        bars: { server: round(cpu.bars.server, 2), loadgen: round(cpu.bars.loadgen, 2) },
        snapshots: { server: round(cpu.snapshots.server, 2), loadgen: round(cpu.snapshots.loadgen, 2) },
      },
      statuses,
    }
  } catch (e) {
    return { engine, status: 'failed', note: e instanceof Error ? e.message.slice(0, 500) : String(e) }
  } finally {
    await load?.stop()
    await server?.stop()
    if (db) await dropDatabase(db.name).catch(() => {})
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  }
}
