/** Snapshots over HTTP on PGlite and PostgreSQL on an injected clock: `session`, and change against the previous regular-session close in pre-market, after-hours, on a holiday and a weekend. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { tradesBetween } from '../../src/adapters/simulated/market'
import { eligibilityOf } from '../../src/core/trade-conditions'
import { engines, Http, startApp } from '../support/harness'

// November 2026 is EST (UTC−5). Thanksgiving is Thursday 11/26; Friday 11/27 closes at 13:00.
const wedAfterHours = Date.parse('2026-11-25T23:00:00Z') // Wed 18:00 ET
const thanksgivingNoon = Date.parse('2026-11-26T17:00:00Z') // Thu 12:00 ET, holiday
const saturdayNoon = Date.parse('2026-11-28T17:00:00Z') // Sat 12:00 ET
const mondayPre = Date.parse('2026-11-30T10:00:00Z') // Mon 05:00 ET

/**
 * The last simulated trade in [from, to) that may set the last price: odd lots, average-price and
 * out-of-sequence prints may not; Form T (only ever in extended hours) may, as in minute bars.
 */
const lastTrade = (from: string, to: string) =>
  tradesBetween('AAPL', Date.parse(from), Date.parse(to)).findLast((t) => eligibilityOf(t.c).extendedMinute.openClose)!

for (const [engine, databaseUrl] of engines) {
  describe(`snapshot sessions on ${engine}`, () => {
    let app: App
    let http: Http
    const clock = new SimulatedClock(wedAfterHours)
    beforeAll(async () => {
      app = await startApp(
        {
          DATABASE_URL: databaseUrl ?? undefined,
          RATE_LIMIT_MARKET_PER_MINUTE: '0',
          PREFETCH_INTERVAL_SECONDS: '0',
          SNAPSHOT_CACHE_MS: '0',
        },
        { clock },
      )
      http = new Http(app)
      await http.signUp()
    })
    afterAll(() => app.stop())

    const snapshotAt = async (at: number) => {
      clock.advance(at - clock.now())
      await http.signUp() // a token from days before has expired
      const res = await http.get('/api/v1/market-data/snapshots?tickers=AAPL')
      if (res.status !== 200) throw new Error(`${res.status} ${res.text}`)
      return res.json.results[0] as { last: number; prev_close: number; change: number; change_pct: number; session: string }
    }

    /** Asserts the figures by hand: last − prev and its percent, rounded to 4 and 3 decimals. */
    const expectFigures = (snap: { last: number; prev_close: number; change: number; change_pct: number }, last: number, prev: number) => {
      expect(snap.last).toBe(last)
      expect(snap.prev_close).toBe(prev)
      expect(snap.change).toBeCloseTo(last - prev, 4)
      expect(snap.change_pct).toBeCloseTo(((last - prev) / prev) * 100, 3)
    }

    it('after-hours: session post, change of the evening trade against the day before’s regular close', async () => {
      const snap = await snapshotAt(wedAfterHours)
      expect(snap.session).toBe('post')
      const prev = lastTrade('2026-11-24T14:30:00Z', '2026-11-24T21:00:00Z').p // Tue 09:30–16:00 ET
      const last = lastTrade('2026-11-25T21:00:00Z', '2026-11-25T23:00:00Z').p // Wed after-hours
      expectFigures(snap, last, prev)
    })

    it('holiday: session closed, Wednesday’s evening trade against Wednesday’s regular close', async () => {
      const snap = await snapshotAt(thanksgivingNoon)
      expect(snap.session).toBe('closed')
      const prev = lastTrade('2026-11-25T14:30:00Z', '2026-11-25T21:00:00Z').p
      const postLast = lastTrade('2026-11-25T21:00:00Z', '2026-11-26T01:00:00Z').p
      expect(postLast).not.toBe(prev)
      expectFigures(snap, postLast, prev)
    })

    it('weekend: session closed, Friday’s after-hours trade against Friday’s early (13:00) regular close', async () => {
      const snap = await snapshotAt(saturdayNoon)
      expect(snap.session).toBe('closed')
      const prev = lastTrade('2026-11-27T14:30:00Z', '2026-11-27T18:00:00Z').p
      const last = lastTrade('2026-11-27T18:00:00Z', '2026-11-27T22:00:00Z').p
      expect(last).not.toBe(prev)
      expectFigures(snap, last, prev)
    })

    it('pre-market: session pre, Monday’s early trade against Friday’s regular close, not its after-hours trade', async () => {
      const snap = await snapshotAt(mondayPre)
      expect(snap.session).toBe('pre')
      const prev = lastTrade('2026-11-27T14:30:00Z', '2026-11-27T18:00:00Z').p
      const last = lastTrade('2026-11-30T09:00:00Z', '2026-11-30T10:00:00Z').p
      expectFigures(snap, last, prev)
    })
  })
}
