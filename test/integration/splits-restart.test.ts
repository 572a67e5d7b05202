/** A replica (re)started after a split took effect applies it in its first splits pass, at start, not one SPLITS_INTERVAL_SECONDS later: PostgreSQL, the Massive adapter against the local Massive server over sockets. */
import { afterAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import type { App } from '../../src/app'
import { dayBars } from '../../src/adapters/simulated/market'
import { createMassiveServer, massiveAppEnv } from '../support/massive-server'
import { jumpingClock } from '../support/jumping-clock'
import { Http, postgresUrl, startApp } from '../support/harness'
import { waitFor } from '../support/wait'

// AVGO splits 4-for-1 on Monday 2026-11-16 (src/adapters/simulated/splits.ts).
const friday = Date.parse('2026-11-13T20:00:00Z') // 15:00 New York
const monday = Date.parse('2026-11-16T15:00:00Z') // 10:00 New York, the split in effect since 04:00
const page = 'timespan=day&from=2026-11-02&to=2026-11-11'

describe('the splits job on a restart after a split', () => {
  const clock = jumpingClock(friday)
  const massive = createMassiveServer({ now: () => clock.now() })
  const apps: App[] = []
  const start = async (env: Record<string, string>) => {
    const app = await startApp({ ...massiveAppEnv(massive), DATABASE_URL: postgresUrl, RATE_LIMIT_MARKET_PER_MINUTE: '0', ...env }, { clock })
    apps.push(app)
    return app
  }
  const days = async (app: App) => {
    const http = new Http(app)
    await http.signUp()
    const res = await http.get(`/api/v1/market-data/bars?ticker=AVGO&${page}`)
    if (res.status !== 200) throw new Error(`${res.status} ${res.text}`)
    return res.json.results as { t: number; c: number }[]
  }
  afterAll(async () => {
    for (const app of apps) await app.stop()
    await massive.stop()
  }, 30_000)

  it('should apply the split at start, so the restarted replica serves adjusted history at once', async () => {
    // Friday: a replica stores AVGO's days on the old scale, then goes down over the weekend.
    const before = await start({ SPLITS_INTERVAL_SECONDS: '0' })
    await before.db.db.execute(sql`DELETE FROM applied_splits WHERE ticker = 'AVGO'`)
    await before.db.db.execute(sql`DELETE FROM bars WHERE ticker = 'AVGO'`)
    await before.db.db.execute(sql`DELETE FROM bar_coverage WHERE ticker = 'AVGO'`)
    const oldScale = await days(before)
    expect(oldScale.length).toBe(8)
    await before.stop()
    apps.length = 0

    // Monday 10:00: restarted with a period far longer than the test; only a pass at start can apply the split.
    clock.jumpTo(monday)
    const after = await start({ SPLITS_INTERVAL_SECONDS: '86400' })
    await after.listen()
    await waitFor(() => after.splits.status().applied === 1, 10_000, 'the first splits pass applied AVGO')
    expect(after.splits.status().lastError).toBeNull()
    expect(massive.log.filter((r) => r.pathAndQuery.startsWith('/stocks/v1/splits?')).length).toBe(1)
    const adjusted = await days(after)
    const provider = dayBars('AVGO', Date.parse('2026-11-02T05:00:00Z'), Date.parse('2026-11-12T05:00:00Z'), clock.now())
    expect(adjusted.map((b) => b.c)).toEqual(provider.map((b) => b.c))
    expect(adjusted.map((b) => b.c)).toEqual(oldScale.map((b) => b.c / 4))
  }, 60_000)
})
