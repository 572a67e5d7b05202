/** Fault: a private Redis killed and restarted empty under watchlist writes and sign-outs through two replica processes on PostgreSQL. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { simulatedUniverse } from '../../src/adapters/simulated/universe'
import { postgresUrl, testJwtSecret } from '../support/harness'
import { PrivateRedisServer, uniquePrefix, waitFor } from '../support/redis-harness'
import { ReplicaProcess, signUpWith } from '../support/replica-processes'
import { timedCall, type TimedCall } from '../support/timed-call'

const users = 20
const tickers = simulatedUniverse.slice(20, 30).map((t) => t.ticker)
/** Codes a client may see while Redis is away: none of them is a 500. */
const documented = new Set([200, 201, 204, 503])

type Call = TimedCall
const call = timedCall

describe('Redis killed and restarted empty under load (two replica processes, a private Redis)', () => {
  const redis = new PrivateRedisServer()
  const replicas: ReplicaProcess[] = []
  let dataDir: string

  beforeAll(async () => {
    await redis.start()
    dataDir = mkdtempSync(join(tmpdir(), 'mw-redisfault-'))
    const env = {
      NODE_ENV: 'development',
      JWT_SECRET: testJwtSecret,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: postgresUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: uniquePrefix('redisfault'),
      LOG_LEVEL: 'error',
      PREFETCH_INTERVAL_SECONDS: '0',
      REGISTER_MAX_PER_ADDRESS: '0',
    }
    replicas.push(...(await Promise.all(['a', 'b'].map((name) => ReplicaProcess.start(name, env)))))
  }, 60_000)

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()))
    await redis.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('no replica exits, no 500, every acknowledged add is kept and every acknowledged sign-out stays signed out', async () => {
    const tokens = await Promise.all(Array.from({ length: users }, (_, i) => signUpWith(replicas[i % 2]!.url, [])))
    const spare = await Promise.all(Array.from({ length: 6 }, (_, i) => signUpWith(replicas[i % 2]!.url, [])))
    const calls: Call[] = []
    const acknowledged = tokens.map(() => new Set<string>())
    const signedOut: string[] = []

    // Each user adds its tickers (retrying refusals: adds are idempotent), then signs out once.
    const user = async (u: number) => {
      for (const ticker of tickers) {
        for (let attempt = 0; attempt < 50; attempt++) {
          const c = await call(replicas[(u + attempt) % 2]!.url, 'POST', '/api/v1/watchlist', tokens[u]!, { ticker })
          calls.push(c)
          if (c.status === 200 || c.status === 201) {
            acknowledged[u]!.add(ticker)
            break
          }
        }
      }
      const out = await call(replicas[u % 2]!.url, 'POST', '/api/v1/auth/logout', tokens[u]!)
      calls.push(out)
      if (out.status === 204) signedOut.push(tokens[u]!)
    }
    const load = Promise.all(tokens.map((_, u) => user(u)))
    await waitFor(() => calls.length >= 40, 20_000, '40 calls before the kill')
    await redis.kill()
    // Sign-outs while Redis is away: acknowledged from the replica's local copy, to be replayed when Redis is back.
    const outWhileAway = await Promise.all(
      spare.map((token, i) => call(replicas[i % 2]!.url, 'POST', '/api/v1/auth/logout', token).then((c) => (calls.push(c), { c, token }))),
    )
    for (const { c, token } of outWhileAway) if (c.status === 204) signedOut.push(token)
    expect(outWhileAway.filter(({ c }) => c.status === 204).length).toBeGreaterThan(0)
    const during = calls.length
    await waitFor(() => calls.length >= during + 40, 20_000, '40 calls while Redis is away')
    await redis.start()
    await load

    for (const r of replicas) expect({ name: r.name, alive: r.alive }).toEqual({ name: r.name, alive: true })
    const undocumented = calls.filter((c) => !documented.has(c.status) || (c.status === 503 && c.code === null))
    expect(undocumented.slice(0, 5)).toEqual([])
    expect(Math.max(...calls.map((c) => c.ms))).toBeLessThan(5_000)

    // Watchlists live in PostgreSQL: every acknowledged add is there (read from the database: the tokens are signed out by now).
    const sql = postgres(postgresUrl, { max: 1, onnotice: () => {} })
    try {
      for (let u = 0; u < users; u++) {
        const userId = Number(JSON.parse(Buffer.from(tokens[u]!.split('.')[1]!, 'base64url').toString()).sub)
        const rows = await sql`select ticker from watchlist_items where user_id = ${userId}`
        const stored = new Set(rows.map((r) => r.ticker as string))
        expect([...acknowledged[u]!].filter((t) => !stored.has(t))).toEqual([])
      }
    } finally {
      await sql.end()
    }
    // Sign-outs acknowledged while Redis was away are replayed to the new (empty) Redis: refused on both replicas.
    expect(signedOut.length).toBe(users + spare.length)
    for (const token of signedOut) {
      await waitFor(
        async () => {
          const answers = await Promise.all(replicas.map((r) => call(r.url, 'GET', '/api/v1/auth/me', token)))
          return answers.every((a) => a.status === 401 && a.code === 'TOKEN_REVOKED')
        },
        10_000,
        'every acknowledged sign-out refused on both replicas',
      )
    }
  }, 120_000)
})
