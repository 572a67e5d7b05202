/** The prefetch job: stores watched tickers' recent minute bars once, repairs nothing twice, and runs on one replica at a time. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import Redis from 'ioredis'
import type { App } from '../../src/app'
import { createRedisJobLock } from '../../src/adapters/redis/job-lock'
import { createMassiveServer, type MassiveServer } from '../support/massive-server'
import { Http, redisUrl, startApp } from '../support/harness'
import { deferred } from '../support/wait'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import type { Clock } from '../../src/ports/clock'

/** Wednesday 2025-03-12 11:30 New York: the job's 10-hour window covers pre-market and the morning session. */
const NOW = Date.parse('2025-03-12T11:30:00-04:00')

describe('prefetch job', () => {
  let massive: MassiveServer
  let app: App
  beforeAll(async () => {
    const clock: Clock = { ...createSystemClock(), now: () => NOW }
    massive = createMassiveServer({ now: () => NOW })
    app = await startApp(
      {
        MASSIVE_API_KEY: massive.apiKey,
        MASSIVE_REST_URL: massive.url,
        MASSIVE_REQUESTS_PER_MINUTE: '0',
        PREFETCH_INTERVAL_SECONDS: '0',
        PREFETCH_MINUTES: '600',
      },
      { clock },
    )
  })
  afterAll(async () => {
    await app.stop()
    await massive.stop()
  })

  it('should store watched tickers once and then serve them without upstream calls', async () => {
    const http = new Http(app)
    await http.signUp()
    await http.post('/api/v1/watchlist', { ticker: 'AAPL' })
    await http.post('/api/v1/watchlist', { ticker: 'MSFT' })
    massive.reset()
    expect(await app.prefetch.runOnce()).toBe(true)
    expect(massive.counts.aggs).toBe(2)
    expect(app.prefetch.status().lastGapsFilled).toBe(2)
    await app.prefetch.runOnce()
    expect(massive.counts.aggs).toBe(2)
    const from = NOW - 500 * 60_000
    const res = await http.get(
      `/api/v1/market-data/bars?ticker=AAPL&timespan=minute&from=${from}&to=${NOW - 20 * 60_000}`,
    )
    expect(res.status).toBe(200)
    expect(res.json.results.length).toBeGreaterThan(0)
    expect(massive.counts.aggs).toBe(2)
  })

  it('should let only one replica run the job at a time through Redis', async () => {
    const a = new Redis(redisUrl)
    const b = new Redis(redisUrl)
    const prefix = `test-${crypto.randomUUID()}`
    const lockA = createRedisJobLock(a, prefix)
    const lockB = createRedisJobLock(b, prefix)
    let running = 0
    let most = 0
    const finish = deferred()
    const job = async () => {
      running++
      most = Math.max(most, running)
      await finish.promise
      running--
    }
    const racing = [lockA.runExclusive('prefetch', 5000, job), lockB.runExclusive('prefetch', 5000, job)]
    // The replica that lost answers while the winner's job still runs; then the job ends.
    expect(await Promise.race(racing)).toBe(false)
    finish.resolve()
    const ran = await Promise.all(racing)
    expect(ran.sort()).toEqual([false, true])
    expect(most).toBe(1)
    expect(await lockB.runExclusive('prefetch', 5000, job)).toBe(true)
    a.disconnect()
    b.disconnect()
  })
})
