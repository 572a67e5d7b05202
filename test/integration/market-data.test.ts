/** Market data over HTTP through the real Massive adapter and a local Massive-compatible server, on PGlite and PostgreSQL. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  dateOfDayIndex,
  dayIndexOfDate,
  nyDayIndex,
  nyDayStartOfIndex,
} from '../../src/core/market-time'
import { isTradingDay, previousTradingDay } from '../../src/core/calendar'
import { minuteBars } from '../../src/adapters/simulated/market'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { createScaledClock } from '../support/scaled-clock'
import { clockReaches } from '../support/wait'
import { engines, Http, startApp } from '../support/harness'

/** A random past New York day, so reruns against one PostgreSQL never find it already stored. */
const pastDay = (minDaysAgo = 20) => {
  // A trading day: the simulated market has no trades on weekends and holidays.
  const day = dateOfDayIndex(nyDayIndex(Date.now() - (minDaysAgo + Math.floor(Math.random() * 300)) * DAY_MS))
  return nyDayStartOfIndex(dayIndexOfDate(isTradingDay(day) ? day : previousTradingDay(day)))
}
const iso = (t: number) => new Date(t).toISOString()

for (const [engine, databaseUrl] of engines) {
  describe(`market data on ${engine}`, () => {
    let massive: MassiveServer
    let app: App
    let http: Http
    beforeAll(async () => {
      massive = createMassiveServer()
      app = await startApp({
        DATABASE_URL: databaseUrl ?? undefined,
        MASSIVE_API_KEY: massive.apiKey,
        MASSIVE_REST_URL: massive.url,
        MASSIVE_REQUESTS_PER_MINUTE: '0',
        MASSIVE_TIMEOUT_MS: '1000', // well above a loaded machine's local round trip; slowMs below is longer
        PREFETCH_INTERVAL_SECONDS: '0',
        SNAPSHOT_MAX_TICKERS: '5',
      })
      http = new Http(app)
      await http.signUp()
    })
    afterAll(async () => {
      await app.stop()
      await massive.stop()
    })
    beforeEach(() => massive.reset())

    const bars = (q: Record<string, string | number>) =>
      http.get(`/api/v1/market-data/bars?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]))}`)

    it('should reject every bad parameter with a code naming the field', async () => {
      const day = pastDay()
      const ok = { ticker: 'AAPL', timespan: 'minute', from: day, to: day + 3600_000 }
      const cases: [Record<string, string | number>, string][] = [
        [{ ...ok, ticker: '' }, 'INVALID_TICKER'],
        [{ ...ok, ticker: '$$' }, 'INVALID_TICKER'],
        [{ ...ok, timespan: 'second' }, 'INVALID_TIMESPAN'],
        [{ ...ok, timespan: '' }, 'INVALID_TIMESPAN'],
        [{ ...ok, multiplier: 0 }, 'INVALID_MULTIPLIER'],
        [{ ...ok, multiplier: 61 }, 'INVALID_MULTIPLIER'],
        [{ ...ok, multiplier: '1.5' }, 'INVALID_MULTIPLIER'],
        [{ ...ok, timespan: 'month', multiplier: 13 }, 'INVALID_MULTIPLIER'],
        [{ ...ok, from: 'yesterday' }, 'INVALID_FROM'],
        [{ ...ok, from: '2024-02-30' }, 'INVALID_FROM'],
        [{ ...ok, from: '2024-01-05T10:00:00' }, 'INVALID_FROM'],
        [{ ...ok, from: '' }, 'INVALID_FROM'],
        [{ ...ok, to: '12/31/2024' }, 'INVALID_TO'],
        [{ ...ok, from: day + DAY_MS, to: day }, 'INVALID_RANGE'],
        [{ ...ok, from: day - 8 * DAY_MS }, 'RANGE_TOO_LARGE'],
        [{ ...ok, limit: 0 }, 'INVALID_LIMIT'],
        [{ ...ok, limit: 10_001 }, 'INVALID_LIMIT'],
        [{ ...ok, cursor: 'not-a-cursor' }, 'INVALID_CURSOR'],
      ]
      for (const [q, code] of cases) {
        const res = await bars(q)
        expect({ q, status: res.status, code: res.json.error.code }).toEqual({ q, status: 400, code })
      }
      expect(massive.counts.total).toBe(0)
    })

    it('should accept dates, date-times and epoch milliseconds alike', async () => {
      const day = pastDay()
      const date = new Date(day + 12 * 3600_000).toISOString().slice(0, 10)
      const a = await bars({ ticker: 'msft', timespan: 'hour', from: date, to: date })
      const b = await bars({ ticker: 'MSFT', timespan: 'hour', from: iso(day), to: day + DAY_MS - 1 })
      expect(a.status).toBe(200)
      expect(a.json.ticker).toBe('MSFT')
      expect(a.json.results.length).toBeGreaterThan(0)
      expect(b.json.results).toEqual(a.json.results)
    })

    it('should answer 404 UNKNOWN_TICKER for a ticker the provider does not know', async () => {
      const res = await bars({ ticker: 'ZZZZZ', timespan: 'day', from: pastDay() })
      expect(res.status).toBe(404)
      expect(res.json.error.code).toBe('UNKNOWN_TICKER')
    })

    it('should serve a stored range without a second upstream call, nights and empty minutes included', async () => {
      const day = pastDay()
      const q = { ticker: 'NVDA', timespan: 'minute', from: day, to: day + DAY_MS - 1, limit: 10_000 }
      const first = await bars(q)
      expect(first.status).toBe(200)
      // A past day's minute bars are all final: none may change any more.
      const expected = minuteBars('NVDA', day, day + DAY_MS, Date.now()).map((b) => ({ ...b, final: true }))
      expect(first.json.results).toEqual(expected)
      expect(expected.length).toBeLessThan(1440)
      const calls = massive.counts.aggs
      expect(calls).toBeGreaterThan(0)
      const second = await bars(q)
      expect(second.json.results).toEqual(first.json.results)
      const night = await bars({ ...q, from: day, to: day + 3 * 3600_000 })
      expect(night.json.results.length).toBeLessThan(180)
      expect(massive.counts.aggs).toBe(calls)
    })

    it('should fetch a missing range once for many concurrent requests', async () => {
      const day = pastDay()
      const q = { ticker: 'AMZN', timespan: 'minute', from: day, to: day + 6 * 3600_000 }
      const all = await Promise.all(Array.from({ length: 8 }, () => bars(q)))
      expect(all.every((r) => r.status === 200)).toBe(true)
      expect(new Set(all.map((r) => JSON.stringify(r.json.results))).size).toBe(1)
      expect(massive.counts.aggs).toBe(1)
    })

    it('should page with next_cursor with no bar twice and none skipped', async () => {
      const day = pastDay()
      const q = { ticker: 'TSLA', timespan: 'minute', from: day, to: day + 2 * DAY_MS - 1 }
      const whole = await bars({ ...q, limit: 5000 })
      const pages: any[] = []
      let res = await bars({ ...q, limit: 333 })
      for (;;) {
        expect(res.status).toBe(200)
        pages.push(...res.json.results)
        if (!res.json.next_cursor) break
        res = await bars({ cursor: res.json.next_cursor, limit: 333 })
      }
      expect(pages.length).toBe(whole.json.results.length)
      expect(pages).toEqual(whole.json.results)
      const ts = pages.map((b) => b.t)
      expect(ts).toEqual([...ts].sort((x, y) => x - y))
      expect(new Set(ts).size).toBe(ts.length)
    })

    it('should derive larger buckets exactly as the provider aggregates them', async () => {
      const day = pastDay(40)
      const direct = async (mult: number, span: string, from: number, to: number) => {
        const r = await fetch(
          `${massive.url}/v2/aggs/ticker/AAPL/range/${mult}/${span}/${from}/${to}?limit=50000&sort=asc`,
          {
            headers: { authorization: `Bearer ${massive.apiKey}` },
          },
        )
        return ((await r.json()) as any).results ?? []
      }
      const cases: [string, number, number, number][] = [
        ['minute', 5, day, day + DAY_MS - 1],
        ['hour', 1, day, day + 3 * DAY_MS - 1],
        ['hour', 4, day, day + 3 * DAY_MS - 1],
        ['day', 1, day - 60 * DAY_MS, day],
        ['week', 1, day - 120 * DAY_MS, day],
        ['month', 1, day - 300 * DAY_MS, day],
      ]
      for (const [span, mult, from, to] of cases) {
        const ours = await bars({ ticker: 'AAPL', timespan: span, multiplier: mult, from, to, limit: 10_000 })
        expect(ours.status).toBe(200)
        const theirs = (await direct(mult, span, from, to)).map(({ t, o, h, l, c, v, vw, n }: any) => ({
          t,
          o,
          h,
          l,
          c,
          v,
          vw,
          n,
        }))
        // Every bucket here ended long ago: final, and otherwise exactly the provider's bar.
        expect({ span, mult, bars: ours.json.results }).toEqual({ span, mult, bars: theirs.map((b: object) => ({ ...b, final: true })) })
      }
    })

    it('should map each provider failure to its documented code', async () => {
      const cases: [() => void, number, string][] = [
        [() => (massive.switches.badKey = true), 502, 'UPSTREAM_AUTH_FAILED'],
        [() => (massive.switches.notAuthorized = true), 502, 'UPSTREAM_NOT_AUTHORIZED'],
        [() => (massive.switches.malformed = true), 502, 'UPSTREAM_BAD_RESPONSE'],
        [() => (massive.switches.malformed = 'shape'), 502, 'UPSTREAM_BAD_RESPONSE'],
        [() => (massive.switches.rateLimit = 'always'), 503, 'UPSTREAM_UNAVAILABLE'],
        [() => (massive.switches.serverError = 'always'), 503, 'UPSTREAM_UNAVAILABLE'],
        [() => (massive.switches.slowMs = 2500), 503, 'UPSTREAM_UNAVAILABLE'],
      ]
      for (const [flip, status, code] of cases) {
        massive.reset()
        flip()
        const from = pastDay()
        const res = await bars({ ticker: 'META', timespan: 'minute', from, to: from + 3600_000, limit: 10 })
        expect({ code: res.json.error.code, status: res.status }).toEqual({ code, status })
        expect(res.text).not.toContain('    at ')
      }
      massive.reset()
      const status = await http.get('/api/v1/market-data/status')
      expect(status.status).toBe(200)
      expect(status.json.upstream.name).toBe('massive')
    }, 60_000)

    it('should answer snapshots for comma lists and repeated parameters, unknown tickers one by one', async () => {
      const a = await http.get('/api/v1/market-data/snapshots?tickers=aapl,NVDA&tickers=AAPL&tickers=ZZZZZ')
      expect(a.status).toBe(200)
      expect(a.json.results.map((r: any) => r.ticker)).toEqual(['AAPL', 'NVDA'])
      for (const r of a.json.results) {
        expect(r.source).toBe('REST')
        expect(typeof r.last).toBe('number')
        expect(r.change).toBeCloseTo(r.last - r.prev_close, 2)
        expect(r.change_pct).toBeCloseTo((r.change / r.prev_close) * 100, 2)
        expect(r.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/)
      }
      expect(a.json.errors).toEqual([{ ticker: 'ZZZZZ', code: 'UNKNOWN_TICKER', message: expect.any(String) }])
      const cap = await http.get('/api/v1/market-data/snapshots?tickers=A,B,C,D,E,F')
      expect(cap.status).toBe(400)
      expect(cap.json.error.code).toBe('TOO_MANY_TICKERS')
      expect((await http.get('/api/v1/market-data/snapshots')).json.error.code).toBe('MISSING_TICKERS')
      expect((await http.get('/api/v1/market-data/snapshots?tickers=AAPL,%24%24')).json.error.code).toBe(
        'INVALID_TICKER',
      )
    })

    it('should require authentication for market data', async () => {
      const anon = new Http(app)
      expect((await anon.get('/api/v1/market-data/snapshots?tickers=AAPL')).status).toBe(401)
      expect((await anon.get('/api/v1/market-data/status')).status).toBe(401)
    })
  })

  describe(`the forming minute on ${engine}`, () => {
    // Regular hours on a random past trading day, 20x real time: the simulated market trades densely
    // there whatever the wall clock says (nothing trades at night, on weekends and holidays). 10:00 to
    // 12:30 New York, inside the session on an early-close day too (after 13:00 the post-market is thin
    // and, by the sale-condition rules, a minute of odd lots only has no bar).
    const day = pastDay(2)
    const clock = createScaledClock(20, day + 10 * HOUR_MS + Math.floor(Math.random() * 150) * MINUTE_MS)
    let massive: MassiveServer
    let app: App
    let http: Http
    beforeAll(async () => {
      massive = createMassiveServer({ now: () => clock.now() })
      app = await startApp({ DATABASE_URL: databaseUrl ?? undefined, ...massiveAppEnv(massive) }, { clock })
      http = new Http(app)
      await http.signUp()
    })
    afterAll(async () => {
      await app.stop()
      await massive.stop()
    })

    it('should include the forming minute, fetched fresh rather than stored', async () => {
      const lastBar = async () => {
        const before = clock.now()
        const res = await http.get(
          `/api/v1/market-data/bars?ticker=AAPL&timespan=minute&from=${before - 30 * MINUTE_MS}`,
        )
        expect(res.status).toBe(200)
        const last = res.json.results.at(-1)
        const minute = (t: number) => t - (t % MINUTE_MS)
        expect(last.t).toBeGreaterThanOrEqual(minute(before))
        expect(last.t).toBeLessThanOrEqual(minute(clock.now()))
        return last
      }
      const first = await lastBar()
      await clockReaches(clock, clock.now() + 6_000) // 6 market seconds: about nine AAPL trades in regular hours
      const second = await lastBar()
      if (second.t === first.t) expect(second.n).toBeGreaterThan(first.n)
      else expect(second.t).toBeGreaterThan(first.t)
    })
  })
}
