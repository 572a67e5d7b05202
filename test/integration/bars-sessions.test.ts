/** Bars by session over HTTP on PGlite and PostgreSQL: session=regular keeps regular-hours minute and hour bars, cursors carry it, and a 7-day minute range across a DST change is accepted. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { engines, Http, startApp } from '../support/harness'

// Friday 2026-11-20, 17:00 New York: the day's regular session is over, its post-market goes on.
const now = Date.parse('2026-11-20T22:00:00Z')
const open = Date.parse('2026-11-19T14:30:00Z')
const close = Date.parse('2026-11-19T21:00:00Z')

for (const [engine, databaseUrl] of engines) {
  describe(`bars by session on ${engine}`, () => {
    let app: App
    let http: Http
    beforeAll(async () => {
      app = await startApp(
        { DATABASE_URL: databaseUrl ?? undefined, RATE_LIMIT_MARKET_PER_MINUTE: '0', PREFETCH_INTERVAL_SECONDS: '0' },
        { clock: new SimulatedClock(now) },
      )
      http = new Http(app)
      await http.signUp()
    })
    afterAll(() => app.stop())

    const bars = async (query: string) => {
      const res = await http.get(`/api/v1/market-data/bars?ticker=AAPL&${query}`)
      if (res.status !== 200) throw new Error(`${res.status} ${res.text}`)
      return res.json as { results: { t: number; v: number }[]; next_cursor: string | null }
    }

    it('should keep only 09:30-16:00 minute bars with session=regular, and pre/post-market bars by default', async () => {
      const all = await bars('timespan=minute&from=2026-11-19&to=2026-11-19&limit=10000')
      const regular = await bars('timespan=minute&from=2026-11-19&to=2026-11-19&limit=10000&session=regular')
      expect(all.results.some((b) => b.t < open)).toBe(true)
      expect(all.results.some((b) => b.t >= close)).toBe(true)
      expect(regular.results.length).toBeGreaterThan(300)
      expect(regular.results.every((b) => b.t >= open && b.t < close)).toBe(true)
      expect(regular.results).toEqual(all.results.filter((b) => b.t >= open && b.t < close))
    })

    it('should build hour bars from regular-hours minutes only', async () => {
      const regular = await bars('timespan=hour&from=2026-11-19&to=2026-11-19&session=regular')
      const minutes = await bars('timespan=minute&from=2026-11-19&to=2026-11-19&limit=10000&session=regular')
      // 09:00 (from 09:30) to 15:00 New York: seven hour buckets.
      expect(regular.results.map((b) => new Date(b.t).toISOString().slice(11, 16))).toEqual([
        '14:00', '15:00', '16:00', '17:00', '18:00', '19:00', '20:00',
      ])
      const volume = (list: { v: number }[]) => list.reduce((sum, b) => sum + b.v, 0)
      expect(volume(regular.results)).toBe(volume(minutes.results))
    })

    it('should carry the session in next_cursor and refuse a cursor asked for with another session', async () => {
      const first = await bars('timespan=minute&from=2026-11-19&to=2026-11-19&limit=100&session=regular')
      expect(first.next_cursor).not.toBeNull()
      const second = await bars(`cursor=${first.next_cursor}&limit=100`)
      expect(second.results.every((b) => b.t >= open && b.t < close)).toBe(true)
      expect(second.results[0]!.t).toBeGreaterThan(first.results.at(-1)!.t)
      const mixed = await http.get(`/api/v1/market-data/bars?cursor=${first.next_cursor}&session=all`)
      expect({ status: mixed.status, code: mixed.json.error.code }).toEqual({ status: 400, code: 'INVALID_CURSOR' })
    })

    it('should refuse an unknown session with INVALID_SESSION', async () => {
      const res = await http.get('/api/v1/market-data/bars?ticker=AAPL&timespan=minute&from=2026-11-19&session=overnight')
      expect({ status: res.status, code: res.json.error.code }).toEqual({ status: 400, code: 'INVALID_SESSION' })
    })

    it('should accept 7 New York days of minute bars across the end of DST, and refuse 8', async () => {
      // 2026-11-01 is 25 hours long: 7 days from it are 169 hours.
      const week = await http.get('/api/v1/market-data/bars?ticker=AAPL&timespan=minute&from=2026-11-01&to=2026-11-07&limit=1')
      expect(week.status).toBe(200)
      const eight = await http.get('/api/v1/market-data/bars?ticker=AAPL&timespan=minute&from=2026-10-31&to=2026-11-07&limit=1')
      expect({ status: eight.status, code: eight.json.error.code }).toEqual({ status: 400, code: 'RANGE_TOO_LARGE' })
    })

    it('should mark as final exactly the bars that can no longer change (15-minute correction window, day bars once the day is over)', async () => {
      type Final = { t: number; final: boolean }
      const minutes = (await bars('timespan=minute&from=2026-11-20&to=2026-11-20&limit=10000')).results as unknown as Final[]
      // 17:00 New York now: minutes ending by 16:45 are settled, the post-market minutes after are not.
      const settled = now - 15 * 60_000
      expect(minutes.some((b) => !b.final)).toBe(true)
      expect(minutes.filter((b) => b.final !== b.t + 60_000 <= settled)).toEqual([])
      const hours = (await bars('timespan=hour&from=2026-11-20&to=2026-11-20')).results as unknown as Final[]
      expect(hours.at(-1)).toMatchObject({ t: Date.parse('2026-11-20T21:00:00Z'), final: false })
      expect(hours.slice(0, -1).every((b) => b.final)).toBe(true)
      const days = (await bars('timespan=day&from=2026-11-18&to=2026-11-20')).results as unknown as Final[]
      expect(days.map((b) => b.final)).toEqual([true, true, false])
    })
  })
}
