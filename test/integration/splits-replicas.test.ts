/** A split across two replicas on one PostgreSQL and one Redis: one applies it, the other forgets its cached pages through the bus, and its stream client gets the holder's `reset`. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { dayBars } from '../../src/adapters/simulated/market'
import { postgresUrl, redisUrl } from '../support/harness'
import { jumpingClock } from '../support/jumping-clock'
import { uniquePrefix, waitFor } from '../support/redis-harness'
import { StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

// AVGO splits 4-for-1 on Monday 2026-11-16 (the simulated market's schedule).
const friday = Date.parse('2026-11-13T20:00:00Z')
const monday = Date.parse('2026-11-16T15:00:00Z')
const page = '/api/v1/market-data/bars?ticker=AVGO&timespan=day&from=2026-11-02&to=2026-11-11'

describe('a split across two replicas', () => {
  const clock = jumpingClock(friday)
  let a: StreamApp
  let b: StreamApp
  beforeAll(async () => {
    const env = {
      DATABASE_URL: postgresUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: uniquePrefix('splits'),
      SPLITS_INTERVAL_SECONDS: '0',
      RATE_LIMIT_MARKET_PER_MINUTE: '0',
    }
    a = await startStreamApp(env, { clock })
    await waitFor(() => a.stream.status().holdingUpstream, 5000, 'replica a to take the upstream lease')
    b = await startStreamApp(env, { clock })
    await a.app.db.db.execute(sql`DELETE FROM applied_splits WHERE ticker = 'AVGO'`)
    await a.app.db.db.execute(sql`DELETE FROM bars WHERE ticker = 'AVGO'`)
    await a.app.db.db.execute(sql`DELETE FROM bar_coverage WHERE ticker = 'AVGO'`)
  }, 30_000)
  afterAll(async () => {
    await b?.stop()
    await a?.stop()
  }, 30_000)

  it("should serve the other replica's cached page adjusted and reset its subscribers once one replica applied the split", async () => {
    await b.http.signUp()
    const before = await b.http.get(page)
    expect(before.status).toBe(200)
    expect(before.json.results.length).toBe(8)
    expect(await b.http.get(page)).toMatchObject({ text: before.text }) // cached on b: a page of final bars

    clock.jumpTo(monday)
    const { token } = await b.http.signUp()
    expect((await b.http.post('/api/v1/watchlist', { ticker: 'AVGO' })).status).toBe(201)
    const client = StreamClient.connect(`${b.wsUrl}?token=${token}`)
    try {
      await client.nextOf('welcome', 8000)
      expect((await client.request({ action: 'subscribe', symbols: ['AVGO'] }, 8000)).type).toBe('subscribed')
      await client.next((m) => m.type === 'snapshot' && m.symbol === 'AVGO', 8000)

      expect(b.stream.status().holdingUpstream).toBe(false)
      expect((await a.app.splits.runOnce()).map((s) => s.ticker)).toEqual(['AVGO'])
      const reset = await client.next((m) => m.type === 'reset', 8000)
      expect(reset).toMatchObject({ symbol: 'AVGO', seq: 1, data: { reason: 'split' } })
    } finally {
      client.close()
    }

    // b heard of it over the bus: its cached page is gone, and the stored days are fetched again adjusted.
    const after = await b.http.get(page)
    const provider = dayBars('AVGO', Date.parse('2026-11-02T05:00:00Z'), Date.parse('2026-11-12T05:00:00Z'), clock.now())
    expect(after.json.results.map((r: { c: number }) => r.c)).toEqual(provider.map((p) => p.c))
    expect(after.json.results.map((r: { c: number }) => r.c)).toEqual(before.json.results.map((r: { c: number }) => r.c / 4))
  }, 60_000)
})
