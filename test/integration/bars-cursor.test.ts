/** Bars cursors over HTTP on PGlite and PostgreSQL: only signed cursors are read, and what they carry is validated like a fresh query. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { createBarRepo } from '../../src/adapters/db/repos/bars'
import { simulatedUniverse } from '../../src/adapters/simulated/market'
import { barCursorKey, createBarCursorCodec, type CursorState } from '../../src/core/bar-cursor'
import { DAY_MS, nyDayStart } from '../../src/core/market-time'
import { createMassiveServer, type MassiveServer } from '../support/massive-server'
import { engines, Http, startApp, testJwtSecret } from '../support/harness'

/** A stock and a year of minutes some years back, different each run, so a shared PostgreSQL has nothing stored there. */
const pick = () => ({
  ticker: simulatedUniverse[Math.floor(Math.random() * simulatedUniverse.length)]!.ticker,
  from: nyDayStart(Date.now() - (800 + Math.floor(Math.random() * 1000)) * DAY_MS),
})
/** What the server would issue if it signed anything: cursors the client cannot make without the key. */
const serverSigned = createBarCursorCodec(barCursorKey(testJwtSecret))
/** The old wire form: base64url JSON, no signature. */
const unsigned = (s: Record<string, unknown>) => Buffer.from(JSON.stringify(s)).toString('base64url')

for (const [engine, databaseUrl] of engines) {
  describe(`bars cursors on ${engine}`, () => {
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
        PREFETCH_INTERVAL_SECONDS: '0',
        RATE_LIMIT_MARKET_PER_MINUTE: '0', // one user pages and probes ~150 times a minute here
        RATE_LIMIT_REST_PER_MINUTE: '0',
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
    const refused = async (q: Record<string, string | number>) => {
      const res = await bars(q)
      return `${res.status} ${res.json?.error?.code}`
    }

    it('should refuse a hand-made cursor spanning a year of minutes at once, fetching and storing nothing', async () => {
      const { ticker, from } = pick()
      const to = from + 365 * DAY_MS
      const forged = unsigned({ v: 1, tk: ticker, ts: 'minute', m: 1, f: from, t: to })
      const started = performance.now()
      expect(await refused({ cursor: forged, limit: 1 })).toBe('400 INVALID_CURSOR')
      // Signed by the server's key but breaking the span rule (a key leak or an issuing bug): still refused.
      const signed = serverSigned.encode({ ticker, timespan: 'minute', multiplier: 1, fromMs: from, toMs: to })
      const res = await bars({ cursor: signed, limit: 1 })
      expect(`${res.status} ${res.json.error.code} ${res.json.error.details?.reason}`).toBe(
        '400 INVALID_CURSOR RANGE_TOO_LARGE',
      )
      expect(performance.now() - started).toBeLessThan(2000) // the unchecked cursor took 13.6 s
      expect(massive.counts.total).toBe(0)
      const repo = createBarRepo(app.db.db)
      expect(await repo.coverage(ticker, 'minute', from, to)).toEqual([])
      expect(await repo.read(ticker, 'minute', from, to)).toEqual([])
    })

    it('should answer 400 INVALID_CURSOR, never 500, for multipliers 0 and -5, signed or not', async () => {
      const { ticker, from } = pick()
      for (const m of [0, -5, 1.5, 61]) {
        const state: CursorState = { ticker, timespan: 'minute', multiplier: m, fromMs: from, toMs: from + DAY_MS }
        expect({
          m,
          got: await refused({ cursor: unsigned({ v: 1, tk: ticker, ts: 'minute', m, f: from, t: from + DAY_MS }) }),
        }).toEqual({ m, got: '400 INVALID_CURSOR' })
        expect({ m, got: await refused({ cursor: serverSigned.encode(state) }) }).toEqual({
          m,
          got: '400 INVALID_CURSOR',
        })
      }
      expect(massive.counts.total).toBe(0)
    })

    it('should refuse a genuine next_cursor with any one character changed, and page the same bars as one big page with it intact', async () => {
      const { ticker, from } = pick()
      const q = { ticker, timespan: 'hour', multiplier: 2, from, to: from + 10 * DAY_MS - 1 }
      const whole = await bars({ ...q, limit: 10_000 })
      expect(whole.status).toBe(200)
      expect(whole.json.results.length).toBeGreaterThan(20)
      const pages: any[] = []
      let res = await bars({ ...q, limit: 7 })
      const first: string = res.json.next_cursor
      for (;;) {
        expect(res.status).toBe(200)
        pages.push(...res.json.results)
        if (!res.json.next_cursor) break
        res = await bars({ cursor: res.json.next_cursor, limit: 7 })
      }
      expect(pages).toEqual(whole.json.results)

      const answers = new Set<string>()
      for (let i = 0; i < first.length; i++) {
        const flipped = first.slice(0, i) + (first[i] === 'A' ? 'B' : 'A') + first.slice(i + 1)
        answers.add(await refused({ cursor: flipped, limit: 7 }))
      }
      expect([...answers]).toEqual(['400 INVALID_CURSOR'])
      // Repeating the query's own parameters next to the cursor is fine; other ones are not.
      expect(
        (await bars({ cursor: first, ticker: ticker.toLowerCase(), timespan: 'hour', multiplier: 2 })).status,
      ).toBe(200)
      expect(await refused({ cursor: first, timespan: 'minute' })).toBe('400 INVALID_CURSOR')
      expect(await refused({ cursor: first, multiplier: 1 })).toBe('400 INVALID_CURSOR')
    })
  })
}
