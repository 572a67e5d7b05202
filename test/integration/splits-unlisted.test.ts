/** A split the provider's splits reference does not list, noticed in its bars (the Massive adapter against the local Massive server over sockets, PGlite and PostgreSQL, a WebSocket client): a gap fill or the forming tail asks one stored bar again, an adjusted one drops the stored history once (also after a listed split of the day, when the provider adjusts late), and a corrected one does not. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { and, asc, eq, sql } from 'drizzle-orm'
import type { App } from '../../src/app'
import { appliedSplits, bars as barsTable } from '../../src/adapters/db/tables'
import { createBarRepo } from '../../src/adapters/db/repos/bars'
import { dayBars, minuteBars } from '../../src/adapters/simulated/market'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { jumpingClock } from '../support/jumping-clock'
import { StreamClient } from '../support/stream-client'
import { engines, Http, startApp } from '../support/harness'

// AVGO splits 4-for-1 on Monday 2026-11-16 (src/adapters/simulated/splits.ts); here the reference never says so.
const friday = Date.parse('2026-11-13T20:00:00Z') // 15:00 New York
const sunday = Date.parse('2026-11-15T20:00:00Z')
const monday = Date.parse('2026-11-16T15:00:00Z') // 10:00 New York: the provider's history is adjusted
const day = (date: string) => Date.parse(`${date}T05:00:00Z`) // 00:00 New York in November

type RestBar = { t: number; o: number; h: number; l: number; c: number; v: number }
const ohlcv = ({ t, o, h, l, c, v }: RestBar) => ({ t, o, h, l, c, v })
const cliffs = (list: RestBar[]) =>
  list
    .slice(1)
    .filter((b, i) => b.o / list[i].c < 0.3)
    .map((b) => b.t)

/** An app on the local Massive server whose market runs at `providerNow`, AVGO's stored history and splits wiped. */
async function setUp(databaseUrl: string | null, clock: ReturnType<typeof jumpingClock>, providerNow: () => number) {
  const massive = createMassiveServer({ now: providerNow })
  massive.switches.splitsUnlisted = true
  const app = await startApp(
    { ...massiveAppEnv(massive), DATABASE_URL: databaseUrl ?? undefined, RATE_LIMIT_MARKET_PER_MINUTE: '0' },
    { clock },
  )
  // The shared PostgreSQL may hold an earlier run's AVGO history and its applied split.
  await app.db.db.execute(sql`DELETE FROM applied_splits WHERE ticker = 'AVGO'`)
  await app.db.db.execute(sql`DELETE FROM bars WHERE ticker = 'AVGO'`)
  await app.db.db.execute(sql`DELETE FROM bar_coverage WHERE ticker = 'AVGO'`)
  const wsUrl = `${(await app.listen()).url.replace('http', 'ws')}/api/v1/market-data/stream`
  const http = new Http(app)
  const bars = async (query: string): Promise<RestBar[]> => {
    const res = await http.get(`/api/v1/market-data/bars?ticker=AVGO&limit=10000&${query}`)
    if (res.status !== 200) throw new Error(`${res.status} ${res.text}`)
    return res.json.results
  }
  /** A user of now watching AVGO, with a stream subscribed to it and seeded. */
  const subscriber = async () => {
    const { token } = await http.signUp()
    expect((await http.post('/api/v1/watchlist', { ticker: 'AVGO' })).status).toBe(201)
    const client = StreamClient.connect(`${wsUrl}?token=${token}`)
    await client.nextOf('welcome', 8000)
    expect((await client.request({ action: 'subscribe', symbols: ['AVGO'] }, 8000)).type).toBe('subscribed')
    await client.next((m) => m.type === 'snapshot' && m.symbol === 'AVGO', 8000)
    return client
  }
  const storedDays = () =>
    app.db.db
      .select({ t: barsTable.t, c: barsTable.c })
      .from(barsTable)
      .where(and(eq(barsTable.ticker, 'AVGO'), eq(barsTable.timespan, 'day')))
      .orderBy(asc(barsTable.t))
  const recorded = () => app.db.db.select().from(appliedSplits).where(eq(appliedSplits.ticker, 'AVGO'))
  return { massive, app, http, bars, subscriber, storedDays, recorded }
}

for (const [engine, databaseUrl] of engines) {
  describe(`a split noticed in a gap fill on ${engine}`, () => {
    const clock = jumpingClock(friday)
    let s: Awaited<ReturnType<typeof setUp>>
    let thursdayBefore: RestBar[] = []
    beforeAll(async () => {
      s = await setUp(databaseUrl, clock, () => clock.now())
      await s.http.signUp()
    }, 30_000)
    afterAll(async () => {
      await s?.app.stop()
      await s?.massive.stop()
    }, 30_000)

    it('should not take a corrected bar for a split, asking no more calls than before', async () => {
      // Friday: days to Wednesday and Thursday's minutes stored on the old scale.
      const daysBefore = await s.bars('timespan=day&from=2026-11-02&to=2026-11-11')
      thursdayBefore = await s.bars('timespan=minute&from=2026-11-12&to=2026-11-12')
      expect(daysBefore.length).toBe(8)
      const wednesday = daysBefore.at(-1)!
      expect(wednesday.t).toBe(day('2026-11-11'))
      // The provider corrects Wednesday's bar after it was stored: a high and a close a little off, more volume.
      s.massive.switches.barCorrections = [
        {
          ticker: 'AVGO',
          timespan: 'day',
          t: wednesday.t,
          patch: { h: wednesday.h * 1.01, c: wednesday.c * 1.004, v: wednesday.v + 5000 },
        },
      ]
      const aggsBefore = s.massive.counts.aggs

      const days = await s.bars('timespan=day&from=2026-11-02&to=2026-11-13')

      // One call for the gap (Thursday), asked from the stored Wednesday, and one for the forming Friday: as many as before.
      expect(s.massive.counts.aggs - aggsBefore).toBe(2)
      expect(s.massive.log.some((r) => r.pathAndQuery.includes(`/range/1/day/${wednesday.t}/`))).toBe(true)
      expect(s.app.splits.status()).toMatchObject({ applied: 0, noticedInBars: 0 })
      expect(await s.recorded()).toEqual([])
      expect(days.slice(0, 8).map(ohlcv)).toEqual(daysBefore.map(ohlcv))
      expect(cliffs(days)).toEqual([])
      s.massive.switches.barCorrections = []
    }, 60_000)

    it('should apply it once when the provider serves the history adjusted, and serve, store and stream the new scale', async () => {
      clock.jumpTo(monday)
      const client = await s.subscriber()
      try {
        // Two requests at once, each filling a gap next to old-scale bars (days from Thursday, minutes from Thursday evening).
        const [days, fridayMinutes] = await Promise.all([
          s.bars('timespan=day&from=2026-11-02&to=2026-11-16'),
          s.bars('timespan=minute&from=2026-11-13&to=2026-11-13'),
        ])
        const reset = await client.next((m) => m.type === 'reset', 8000)
        expect(reset).toMatchObject({ symbol: 'AVGO', seq: 1, data: { reason: 'split' } })

        // Both answers on the provider's adjusted scale, no 4x cliff.
        const asOf = clock.now()
        const provider = dayBars('AVGO', day('2026-11-02'), day('2026-11-16'), asOf)
        expect(days.slice(0, -1).map(ohlcv)).toEqual(provider.map(ohlcv))
        expect(days.at(-1)!.t).toBe(day('2026-11-16'))
        expect(cliffs(days)).toEqual([])
        expect(fridayMinutes.map((b) => b.c)).toEqual(
          minuteBars('AVGO', day('2026-11-13'), day('2026-11-14'), asOf).map((b) => b.c),
        )
        // Storage too, and Thursday's minutes stored on Friday are fetched again at a quarter of the price.
        expect((await s.storedDays()).map((b) => b.c)).toEqual(provider.map((b) => b.c))
        const thursday = await s.bars('timespan=minute&from=2026-11-12&to=2026-11-12')
        expect(thursday.map((b) => b.c)).toEqual(thursdayBefore.map((b) => b.c / 4))

        // Applied once, recorded as the provider would list it, and counted.
        expect(
          (await s.recorded()).map(({ executionDate, splitFrom, splitTo }) => ({ executionDate, splitFrom, splitTo })),
        ).toEqual([{ executionDate: '2026-11-16', splitFrom: 1, splitTo: 4 }])
        expect(s.app.splits.status()).toMatchObject({ applied: 1, noticedInBars: 1 })
        const status = await s.http.get('/api/v1/market-data/status')
        expect(status.json.components.splits).toMatchObject({ applied: 1, noticedInBars: 1 })
        const metrics = await s.http.get('/metrics')
        expect(metrics.text).toContain('marketwatch_splits_applied_total{source="bars"} 1')

        // Later requests reaching the tail and fills find nothing to notice; the stream had one reset.
        await s.bars('timespan=day&from=2026-10-01&to=2026-11-16')
        const seen = client.messages.length
        await client.receivedSince(seen, (m) => m.symbol === 'AVGO', 8000)
        expect(client.ofType('reset').length).toBe(1)
        expect(s.app.splits.status().noticedInBars).toBe(1)

        // The reference catches up with the same split: found done.
        s.massive.switches.splitsUnlisted = false
        expect(await s.app.splits.runOnce()).toEqual([])
        expect(s.massive.log.some((r) => r.pathAndQuery.startsWith('/stocks/v1/splits?'))).toBe(true)
        expect(s.app.splits.status().applied).toBe(1)
      } finally {
        client.close()
      }
    }, 60_000)
  })

  describe(`a split noticed in the forming tail on ${engine}`, () => {
    const clock = jumpingClock(monday)
    // The provider adjusts its history late: until told, its market stands on Sunday (history as it printed).
    let providerNow = () => sunday
    let s: Awaited<ReturnType<typeof setUp>>
    beforeAll(async () => {
      s = await setUp(databaseUrl, clock, () => providerNow())
    }, 30_000)
    afterAll(async () => {
      await s?.app.stop()
      await s?.massive.stop()
    }, 30_000)

    it('should notice it in the day tail when the stored days reach today and no gap is left to fill', async () => {
      const client = await s.subscriber()
      try {
        // Monday 10:00: every day to Friday stored, not yet adjusted; the tail (today) asks Friday again and agrees.
        const before = await s.bars('timespan=day&from=2026-11-02&to=2026-11-16')
        expect(before.map((b) => b.t).at(-1)).toBe(day('2026-11-13'))
        expect(s.app.splits.status().noticedInBars).toBe(0)

        providerNow = () => clock.now()
        clock.jumpTo(monday + 60_000) // past the tail's reuse
        const days = await s.bars('timespan=day&from=2026-11-02&to=2026-11-16')

        expect(s.app.splits.status().noticedInBars).toBe(1)
        const reset = await client.next((m) => m.type === 'reset', 8000)
        expect(reset).toMatchObject({ symbol: 'AVGO', data: { reason: 'split' } })
        const provider = dayBars('AVGO', day('2026-11-02'), day('2026-11-16'), clock.now())
        expect(days.slice(0, -1).map(ohlcv)).toEqual(provider.map(ohlcv))
        expect(days.slice(0, -1).map((b) => b.c)).toEqual(before.map((b) => b.c / 4))
        expect(cliffs(days)).toEqual([])
        expect((await s.storedDays()).map((b) => b.c)).toEqual(provider.map((b) => b.c))
      } finally {
        client.close()
      }
    }, 60_000)
  })
}

for (const [engine, databaseUrl] of engines) {
  describe(`a listed split whose history the provider adjusts late the same day on ${engine}`, () => {
    const clock = jumpingClock(friday)
    const preMarket = Date.parse('2026-11-16T09:30:00Z') // 04:30 New York: the split is in effect, applied from the reference
    let s: Awaited<ReturnType<typeof setUp>>
    beforeAll(async () => {
      s = await setUp(databaseUrl, clock, () => clock.now())
      s.massive.switches.splitsUnlisted = false
      // The provider serves its history as printed until Monday 10:00 New York.
      s.massive.switches.historyAdjustedAt = monday
      await s.http.signUp()
    }, 30_000)
    afterAll(async () => {
      await s?.app.stop()
      await s?.massive.stop()
    }, 30_000)

    it('should drop the history stored on the old scale after the listed split once the bars show it, and only then', async () => {
      // Friday: days to Thursday stored. Monday 04:30: the listed split is applied, those days dropped.
      const before = await s.bars('timespan=day&from=2026-11-02&to=2026-11-12')
      clock.jumpTo(preMarket)
      await s.http.signUp()
      await s.app.splits.runOnce()
      expect((await s.recorded()).map((r) => r.executionDate)).toEqual(['2026-11-16'])
      expect(await s.storedDays()).toEqual([])
      // The provider has not adjusted yet: what is filled again is stored on the old scale, as printed.
      const lagging = await s.bars('timespan=day&from=2026-11-02&to=2026-11-16')
      expect(lagging.map((b) => b.t).at(9)).toBe(day('2026-11-13'))
      expect(lagging.slice(0, 9).map((b) => b.c)).toEqual(before.map((b) => b.c))
      expect(s.app.splits.status()).toMatchObject({ applied: 1, noticedInBars: 0 })
      // 10:30: the provider adjusted; the day tail asks Friday again and finds it divided by 4.
      clock.jumpTo(monday + 30 * 60_000)
      const client = await s.subscriber()
      try {
        const days = await s.bars('timespan=day&from=2026-11-02&to=2026-11-16')

        const reset = await client.next((m) => m.type === 'reset', 8000)
        expect(reset).toMatchObject({ symbol: 'AVGO', data: { reason: 'split' } })
        const provider = dayBars('AVGO', day('2026-11-02'), day('2026-11-16'), clock.now())
        expect(days.slice(0, -1).map(ohlcv)).toEqual(provider.map(ohlcv))
        expect(days.slice(0, 10).map((b) => b.c)).toEqual(lagging.slice(0, 10).map((b) => b.c / 4))
        expect(cliffs(days)).toEqual([])
        expect((await s.storedDays()).map((b) => b.c)).toEqual(provider.map((b) => b.c))
        expect(s.app.splits.status()).toMatchObject({ applied: 2, noticedInBars: 1 })
        // The day's record stays the listed split's.
        expect(await s.recorded()).toHaveLength(1)

        // Later requests find nothing on the old scale: no second reset.
        await s.bars('timespan=minute&from=2026-11-13&to=2026-11-16')
        const seen = client.messages.length
        await client.receivedSince(seen, (m) => m.symbol === 'AVGO', 8000)
        expect(client.ofType('reset').length).toBe(1)
        // Tuesday: nothing is noticed again under the new day either.
        clock.jumpTo(monday + 86_400_000)
        await s.http.signUp()
        const tuesday = await s.bars('timespan=day&from=2026-11-02&to=2026-11-17')
        expect(cliffs(tuesday)).toEqual([])
        expect(s.app.splits.status()).toMatchObject({ applied: 2, noticedInBars: 1 })
      } finally {
        client.close()
      }
    }, 60_000)

    it('should drop the stored history once for concurrent notices that compared different bars of it', async () => {
      const repo = createBarRepo(s.app.db.db)
      const bar = (t: number, c: number) => ({ t, o: c, h: c + 1, l: c - 1, c, v: 1000, vw: c, n: 10 })
      const dayBar = bar(day('2026-11-20'), 800)
      const minuteBar = bar(day('2026-11-20') + 600 * 60_000, 801)
      await repo.upsert('AVGO', 'day', [dayBar])
      await repo.upsert('AVGO', 'minute', [minuteBar])
      const split = { ticker: 'AVGO', executionDate: '2026-11-20', splitFrom: 1, splitTo: 4 }
      const later = day('2026-11-21')
      const applied = await Promise.all([
        repo.applyNoticedSplit(split, { timespan: 'day', bar: dayBar }, later),
        repo.applyNoticedSplit(split, { timespan: 'minute', bar: minuteBar }, later),
      ])
      expect(applied.filter(Boolean)).toHaveLength(1)
      expect(await repo.read('AVGO', 'minute', 0, later)).toEqual([])
      // Stored again on the new scale: the old notice finds its bar gone.
      await repo.upsert('AVGO', 'day', [bar(dayBar.t, 200)])
      expect(await repo.applyNoticedSplit(split, { timespan: 'day', bar: dayBar }, later)).toBe(false)
      expect((await s.storedDays()).map((b) => b.c)).toContain(200)
    }, 30_000)
  })
}
