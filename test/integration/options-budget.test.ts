/** Options panels against a 5-per-minute Massive budget: viewers share one chain call per TTL, options stop short of the interactive reserve (then answer the last chain, stale), and bars and snapshots of another user still answer. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import type { Clock } from '../../src/ports/clock'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import { Http, postgresUrl, startApp } from '../support/harness'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'

/** Wednesday 2025-03-12 14:00 New York: the market is open. */
const NOW = Date.UTC(2025, 2, 12, 18, 0)
const CHAIN_TTL_MS = 3000
const VIEWERS = 6
const ROUNDS = 10

describe('options panels on a 5-per-minute budget', () => {
  let massive: MassiveServer
  let app: App
  let trader: Http
  const viewers: Http[] = []
  let now = NOW
  const clock: Clock = { ...createSystemClock(), now: () => now }
  const calls = (endpoint: string) => massive.log.filter((r) => r.endpoint === endpoint).length

  beforeAll(async () => {
    massive = createMassiveServer({ now: () => NOW })
    app = await startApp(
      {
        ...massiveAppEnv(massive),
        DATABASE_URL: postgresUrl,
        MASSIVE_REQUESTS_PER_MINUTE: '5',
        MASSIVE_RESERVED_INTERACTIVE: '40',
        OPTIONS_CHAIN_CACHE_MS: String(CHAIN_TTL_MS),
        RATE_LIMIT_MARKET_PER_MINUTE: '0',
        MASSIVE_TIMEOUT_MS: '1000',
      },
      { clock },
    )
    trader = new Http(app)
    await trader.signUp()
    for (let i = 0; i < VIEWERS; i++) {
      const viewer = new Http(app)
      await viewer.signUp()
      viewers.push(viewer)
    }
  })
  afterAll(async () => {
    await app.stop()
    await massive.stop()
  })

  const recentBars = () =>
    trader.get(`/api/v1/market-data/bars?ticker=AAPL&timespan=minute&from=${now - 10 * 60_000}&to=${now}`)

  it('should keep the interactive reserve for bars and snapshots while many viewers poll one chain', async () => {
    // The trader's ticker is known beforehand (one lookup), then a fresh budget window starts.
    expect((await recentBars()).status).toBe(200)
    now += 2 * 60_000
    massive.reset()

    const chain = '/api/v1/options/chain?underlying=AAPL&expiration=2025-03-21'
    const rounds: { status: number; stale: boolean }[][] = []
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(viewers.map((v) => v.get(chain)))
      rounds.push(answers.map((a) => ({ status: a.status, stale: a.json?.stale === true })))
      // Every answer of a round is the same chain: one upstream call (or none) however many viewers.
      expect(new Set(answers.map((a) => a.text)).size).toBe(1)
      now += CHAIN_TTL_MS
    }
    // 5 per minute with 40 % reserved: options spend 3 (expirations, then two chains) and no more.
    expect(calls('options')).toBe(3)
    expect(massive.counts.total).toBe(3)
    expect(rounds.flat().every((a) => a.status === 200)).toBe(true)
    expect(rounds.map((r) => r[0]!.stale)).toEqual([false, false, ...Array(ROUNDS - 2).fill(true)])
    const stale = await viewers[0]!.get(chain)
    expect(stale.json).toMatchObject({ stale: true, as_of: new Date(NOW + 2 * 60_000 + CHAIN_TTL_MS).toISOString() })

    // Another user's bars and snapshots spend the reserve: never a 503 while it lasts.
    const snapshots = await trader.get('/api/v1/market-data/snapshots?tickers=NVDA')
    expect([snapshots.status, snapshots.json.results?.[0]?.source]).toEqual([200, 'REST'])
    const bars = await recentBars()
    expect(bars.status).toBe(200)
    expect(bars.json.results.length).toBeGreaterThan(0)
    expect([calls('snapshots'), calls('aggs'), massive.counts.total]).toEqual([1, 1, 5])

    // The whole budget is spent now: the next interactive call is refused with Retry-After, never waits past its deadline.
    const refused = await trader.get('/api/v1/market-data/snapshots?tickers=AMD')
    expect([refused.status, refused.json.error.code]).toEqual([503, 'UPSTREAM_UNAVAILABLE'])
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(massive.counts.total).toBe(5)
  }, 30_000)

  it('should answer 503 with Retry-After for an options call refused by the budget when no chain is kept', async () => {
    now += 10_000 // the window is still full of the previous test's calls
    const res = await viewers[1]!.get('/api/v1/options/chain?underlying=NVDA&expiration=2025-03-21')
    expect([res.status, res.json.error.code]).toEqual([503, 'UPSTREAM_UNAVAILABLE'])
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(res.text).not.toContain('    at ')
  })
})
