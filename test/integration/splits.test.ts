/** A 4-for-1 split over the real stack (the Massive adapter against the local Massive server over sockets, PGlite and PostgreSQL, a WebSocket client): stored history before it is dropped once and fetched again adjusted, cached pages forgotten, no 4x cliff, and subscribers get a `reset`. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import type { App } from '../../src/app'
import { dayBars, minuteBars } from '../../src/adapters/simulated/market'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { jumpingClock } from '../support/jumping-clock'
import { StreamClient } from '../support/stream-client'
import { engines, Http, startApp } from '../support/harness'

// AVGO splits 4-for-1 on Monday 2026-11-16 (src/adapters/simulated/splits.ts).
const friday = Date.parse('2026-11-13T20:00:00Z') // 15:00 New York
const monday = Date.parse('2026-11-16T15:00:00Z') // 10:00 New York, after the split took effect (04:00)

type RestBar = { t: number; o: number; h: number; l: number; c: number; v: number }

for (const [engine, databaseUrl] of engines) {
  describe(`a split on ${engine}`, () => {
    const clock = jumpingClock(friday)
    let massive: MassiveServer
    let app: App
    let http: Http
    let token: string
    let url: string
    const bars = async (query: string): Promise<RestBar[]> => {
      const res = await http.get(`/api/v1/market-data/bars?ticker=AVGO&limit=10000&${query}`)
      if (res.status !== 200) throw new Error(`${res.status} ${res.text}`)
      return res.json.results
    }
    beforeAll(async () => {
      massive = createMassiveServer({ now: () => clock.now() })
      app = await startApp(
        {
          ...massiveAppEnv(massive),
          DATABASE_URL: databaseUrl ?? undefined,
          RATE_LIMIT_MARKET_PER_MINUTE: '0',
          SPLITS_INTERVAL_SECONDS: '0',
        },
        { clock },
      )
      // The shared PostgreSQL may hold an earlier run's AVGO history and its applied split.
      await app.db.db.execute(sql`DELETE FROM applied_splits WHERE ticker = 'AVGO'`)
      await app.db.db.execute(sql`DELETE FROM bars WHERE ticker = 'AVGO'`)
      await app.db.db.execute(sql`DELETE FROM bar_coverage WHERE ticker = 'AVGO'`)
      url = (await app.listen()).url
      http = new Http(app)
      token = (await http.signUp()).token
      expect((await http.post('/api/v1/watchlist', { ticker: 'AVGO' })).status).toBe(201)
    }, 30_000)
    afterAll(async () => {
      await app?.stop()
      await massive?.stop()
    }, 30_000)

    it('should drop the old-scale history once, serve it again adjusted with no 4x cliff, and tell subscribers to reload', async () => {
      // Friday afternoon: the history is stored (and a page of final days cached) on the old scale.
      const finalDaysBefore = await bars('timespan=day&from=2026-11-02&to=2026-11-11')
      const thursdayBefore = await bars('timespan=minute&from=2026-11-12&to=2026-11-12')
      expect(finalDaysBefore.length).toBe(8)
      expect(thursdayBefore.length).toBeGreaterThan(300)
      expect(finalDaysBefore[0].c).toBeGreaterThan(400) // AVGO around $170 today, 4x before the split

      clock.jumpTo(monday)
      // Three days on, the Friday session's token has expired: a user of Monday morning.
      token = (await http.signUp()).token
      expect((await http.post('/api/v1/watchlist', { ticker: 'AVGO' })).status).toBe(201)
      // No bars request before the pass: one would notice the split in the bars themselves
      // (splits-unlisted.test.ts); this test is about the splits reference.

      const client = StreamClient.connect(`${url.replace('http', 'ws')}/api/v1/market-data/stream?token=${token}`)
      try {
        await client.nextOf('welcome', 8000)
        expect((await client.request({ action: 'subscribe', symbols: ['AVGO'] }, 8000)).type).toBe('subscribed')
        const seeded = await client.next((m) => m.type === 'snapshot' && m.symbol === 'AVGO', 8000)

        const applied = await app.splits.runOnce()
        expect(applied).toEqual([{ ticker: 'AVGO', executionDate: '2026-11-16', splitFrom: 1, splitTo: 4 }])
        const reset = await client.next((m) => m.type === 'reset', 8000)
        expect(reset).toMatchObject({ symbol: 'AVGO', seq: 1, data: { reason: 'split' } })
        expect(reset.epoch).not.toBe(seeded.epoch)
        // The new epoch goes on with a fresh seed (trades may come first), its seq contiguous from the reset.
        const reseeded = await client.next((m) => m.type === 'snapshot' && m.symbol === 'AVGO', 8000)
        expect(reseeded.epoch).toBe(reset.epoch)
        const epoch = client.messages.filter((m) => m.epoch === reset.epoch && m.type !== 'quote').map((m) => m.seq)
        expect(epoch).toEqual(epoch.map((_, i) => i + 1))
      } finally {
        client.close()
      }

      // The same final page (cached before) and the stored minutes now match the provider's adjusted history.
      const asOf = clock.now()
      const finalDays = await bars('timespan=day&from=2026-11-02&to=2026-11-11')
      const provider = dayBars('AVGO', Date.parse('2026-11-02T05:00:00Z'), Date.parse('2026-11-12T05:00:00Z'), asOf)
      expect(finalDays.map(({ t, o, h, l, c, v }) => ({ t, o, h, l, c, v }))).toEqual(
        provider.map(({ t, o, h, l, c, v }) => ({ t, o, h, l, c, v })),
      )
      expect(finalDays.map((b) => b.c)).toEqual(finalDaysBefore.map((b) => b.c / 4))
      expect(finalDays.map((b) => b.v)).toEqual(finalDaysBefore.map((b) => b.v * 4))
      const thursday = await bars('timespan=minute&from=2026-11-12&to=2026-11-12')
      expect(thursday.map((b) => b.c)).toEqual(thursdayBefore.map((b) => b.c / 4))
      expect(thursday.map((b) => b.c)).toEqual(
        minuteBars('AVGO', Date.parse('2026-11-12T05:00:00Z'), Date.parse('2026-11-13T05:00:00Z'), asOf).map((b) => b.c),
      )

      // Friday's close and Monday's open line up, and the day-over-day moves of the whole range stay small.
      const days = await bars('timespan=day&from=2026-11-02&to=2026-11-16')
      const cliffs = (list: RestBar[]) => list.slice(1).filter((b, i) => b.o / list[i].c < 0.3).map((b) => b.t)
      expect(days.at(-1)!.o / days.at(-2)!.c).toBeGreaterThan(0.9)
      expect(days.at(-1)!.o / days.at(-2)!.c).toBeLessThan(1.1)
      for (let i = 1; i < days.length; i++) expect(Math.abs(days[i].o / days[i - 1].c - 1)).toBeLessThan(0.1)
      expect(cliffs(days)).toEqual([])

      // Applied once: the next pass (here or on another replica) finds nothing to do.
      expect(await app.splits.runOnce()).toEqual([])
      expect(massive.log.some((r) => r.pathAndQuery.startsWith('/stocks/v1/splits?'))).toBe(true)
    }, 60_000)
  })
}
