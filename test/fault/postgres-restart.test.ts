/** Fault: a private PostgreSQL restarted (fast and immediate) under watchlist writes from 30 users through two replica processes. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { simulatedUniverse } from '../../src/adapters/simulated/universe'
import { testJwtSecret } from '../support/harness'
import { PrivatePostgres } from '../support/private-postgres'
import { ReplicaProcess, signUpWith } from '../support/replica-processes'
import { timedCall, type TimedCall } from '../support/timed-call'
import { Changes } from '../support/wait'

const users = 30
const tickersPerUser = 12
/** The documented bound on any answer while the database is away (DB_DEADLINE_MS default 2 s, plus connect and margin). */
const answerBoundMs = 5_000

type Outcome = TimedCall

/** POST /watchlist over real HTTP, never throwing. */
const add = (base: string, token: string, ticker: string) => timedCall(base, 'POST', '/api/v1/watchlist', token, { ticker })

describe('PostgreSQL restarts under write load (two replica processes, a private server)', () => {
  const pg = new PrivatePostgres()
  const replicas: ReplicaProcess[] = []
  let dataDir: string

  beforeAll(async () => {
    await pg.start()
    dataDir = mkdtempSync(join(tmpdir(), 'mw-pgfault-'))
    const env = {
      NODE_ENV: 'development',
      JWT_SECRET: testJwtSecret,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: pg.url,
      LOG_LEVEL: 'error',
      PREFETCH_INTERVAL_SECONDS: '0',
      REGISTER_MAX_PER_ADDRESS: '1000',
    }
    replicas.push(...(await Promise.all(['a', 'b'].map((name) => ReplicaProcess.start(name, env)))))
  }, 60_000)

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()))
    await pg.destroy()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('no replica exits, every answer is 200/201 or 503 DATABASE_UNAVAILABLE within the bound, and every acknowledged add is kept', async () => {
    const tokens = await Promise.all(Array.from({ length: users }, (_, i) => signUpWith(replicas[i % 2]!.url, [])))
    const tickers = simulatedUniverse.slice(0, tickersPerUser).map((t) => t.ticker)
    const acknowledged = tokens.map(() => new Set<string>())
    const outcomes: Outcome[] = []
    const answered = new Changes()
    let restarting = true

    // Each user adds its tickers one by one, retrying a refused add (adds are idempotent) until acknowledged.
    const writer = async (u: number) => {
      for (const ticker of tickers) {
        for (;;) {
          const o = await add(replicas[(u + outcomes.length) % 2]!.url, tokens[u]!, ticker)
          outcomes.push(o)
          answered.changed()
          if (o.status === 200 || o.status === 201) {
            acknowledged[u]!.add(ticker)
            break
          }
          if (!restarting && o.status !== 503) break
          // The client backs off as Retry-After says (scaled down, so the test stays short): its pacing, not a wait for the test.
          await Bun.sleep(Math.min(Number(o.retryAfter ?? 1), 1) * 100)
        }
      }
    }
    const writers = Promise.all(tokens.map((_, u) => writer(u)))
    // Restart while writes are in flight: twice fast (an operator's restart), once immediate (a crash).
    for (const mode of ['fast', 'immediate', 'fast'] as const) {
      const before = outcomes.length
      await answered.until(() => outcomes.length >= before + 20, '20 more answers before the next restart', 60_000)
      await pg.restart(mode)
    }
    restarting = false
    await writers

    for (const r of replicas) expect({ name: r.name, alive: r.alive, output: r.alive ? '' : r.recentOutput() }).toEqual({ name: r.name, alive: true, output: '' })
    const unexpected = outcomes.filter(
      (o) => !(o.status === 200 || o.status === 201 || (o.status === 503 && o.code === 'DATABASE_UNAVAILABLE' && o.retryAfter !== null)),
    )
    expect(unexpected.slice(0, 5)).toEqual([])
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(answerBoundMs)
    expect(outcomes.some((o) => o.status === 503)).toBe(true)

    // Every acknowledged add is there, on either replica.
    for (let u = 0; u < users; u++) {
      const res = await fetch(`${replicas[u % 2]!.url}/api/v1/watchlist`, { headers: { authorization: `Bearer ${tokens[u]}` } })
      const body = (await res.json()) as { items: { ticker: string }[] }
      const stored = new Set(body.items.map((i) => i.ticker))
      expect([...acknowledged[u]!].filter((t) => !stored.has(t))).toEqual([])
      expect(acknowledged[u]!.size).toBe(tickersPerUser)
    }
  }, 120_000)

  test('once the database is back, answers are fast again at once (no minutes of slow requests)', async () => {
    const token = await signUpWith(replicas[0]!.url, [])
    await pg.restart('fast')
    // The first request after the restart may meet a dead pooled connection: it answers 503 or succeeds, and soon (it used
    // to wait out postgres-js's reconnect backoff, up to 20 s, and answer 503 at the 2 s deadline).
    const first = await add(replicas[0]!.url, token, 'AAPL')
    expect([200, 201, 503]).toContain(first.status)
    expect(first.ms).toBeLessThan(1_000)
    const later: Outcome[] = []
    for (const ticker of ['MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META']) {
      let o = await add(replicas[0]!.url, token, ticker)
      if (o.status === 503) o = await add(replicas[0]!.url, token, ticker)
      later.push(o)
    }
    expect(later.map((o) => o.status)).toEqual([201, 201, 201, 201, 201])
    expect(Math.max(...later.map((o) => o.ms))).toBeLessThan(1_000)
  }, 60_000)
})
