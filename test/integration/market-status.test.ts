/** GET /market-data/market-status over HTTP on PGlite and PostgreSQL, on an injected clock: weekend, holiday, night, pre-market, open, an early close; around the clock; with Massive (the local server) and an unscheduled closure. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import { MassiveHttpClient } from '../../src/adapters/massive/http-client'
import { MassiveMarketStatus } from '../../src/adapters/massive/massive-market-status'
import type { Clock } from '../../src/ports/clock'
import { loadConfig } from '../../src/config'
import { engines, Http, startApp } from '../support/harness'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'

const path = '/api/v1/market-data/market-status'
/** An instant given with its New York offset (EST in November and December). */
const et = (local: string) => Date.parse(`${local}-05:00`)
const iso = (local: string) => new Date(et(local)).toISOString()

/** Chronological, so one token (30-day TTL) signed at the first instant serves them all. */
const cases: { at: string; expect: Record<string, unknown> }[] = [
  {
    at: '2026-11-27T12:59:00', // Friday after Thanksgiving: regular session until 13:00
    expect: {
      market: 'open',
      early_close: true,
      holiday: 'Thanksgiving',
      session_closes_at: iso('2026-11-27T13:00:00'),
    },
  },
  { at: '2026-11-27T13:00:00', expect: { market: 'post', early_close: true, next_close: iso('2026-11-30T16:00:00') } },
  {
    at: '2026-11-27T15:59:00',
    expect: {
      market: 'post',
      early_close: true,
      session_opens_at: iso('2026-11-27T09:30:00'),
      session_closes_at: iso('2026-11-27T13:00:00'),
    },
  },
  { at: '2026-11-27T16:00:00', expect: { market: 'post', next_open: iso('2026-11-30T09:30:00') } }, // post-market until 17:00
  { at: '2026-11-27T17:00:00', expect: { market: 'closed', early_close: true, next_open: iso('2026-11-30T09:30:00') } },
  {
    at: '2026-12-05T15:00:00', // Saturday
    expect: {
      market: 'closed',
      holiday: null,
      session_opens_at: null,
      session_closes_at: null,
      next_open: iso('2026-12-07T09:30:00'),
    },
  },
  {
    at: '2026-12-08T03:00:00',
    expect: { market: 'closed', session_opens_at: iso('2026-12-08T09:30:00'), next_open: iso('2026-12-08T09:30:00') },
  },
  {
    at: '2026-12-08T08:00:00',
    expect: { market: 'pre', early_close: false, holiday: null, next_open: iso('2026-12-08T09:30:00') },
  },
  {
    at: '2026-12-08T10:00:00',
    expect: { market: 'open', next_close: iso('2026-12-08T16:00:00'), next_open: iso('2026-12-09T09:30:00') },
  },
  {
    at: '2026-12-25T12:00:00', // Christmas, a Friday
    expect: { market: 'closed', holiday: 'Christmas', session_opens_at: null, next_open: iso('2026-12-28T09:30:00') },
  },
]

for (const [engine, databaseUrl] of engines) {
  describe(`market status on the simulated market (${engine})`, () => {
    let app: App
    let always: App
    let http: Http
    let now = et(cases[0]!.at)
    const clock: Clock = { ...createSystemClock(), now: () => now }
    beforeAll(async () => {
      const env = { DATABASE_URL: databaseUrl ?? undefined, JWT_TTL_SECONDS: String(30 * 24 * 3600) }
      app = await startApp(env, { clock })
      always = await startApp({ ...env, SIMULATED_MARKET_HOURS: 'always' }, { clock })
      http = new Http(app)
      await http.signUp()
    }, 30_000)
    afterAll(async () => {
      await app?.stop()
      await always?.stop()
    })

    it('should require a session', async () => {
      const res = await new Http(app).get(path)
      expect(res.status).toBe(401)
      expect(res.json.error.code).toBe('AUTH_REQUIRED')
    })

    it('should tell the session by the exchange calendar at each instant', async () => {
      for (const c of cases) {
        now = et(c.at)
        const res = await http.get(path)
        expect({ at: c.at, status: res.status }).toEqual({ at: c.at, status: 200 })
        expect({ at: c.at, ...res.json }).toMatchObject({
          at: c.at,
          ...c.expect,
          server_time: new Date(now).toISOString(),
        })
        expect(res.json.simulated_always_open).toBeUndefined()
      }
    })

    it('should list the closed and early-close days ahead with UTC times on early closes', async () => {
      now = et('2026-12-08T10:00:00')
      const { json } = await http.get(path)
      expect(json.upcoming.slice(0, 3)).toEqual([
        {
          date: '2026-12-24',
          name: 'Christmas',
          status: 'early_close',
          open: iso('2026-12-24T09:30:00'),
          close: iso('2026-12-24T13:00:00'),
        },
        { date: '2026-12-25', name: 'Christmas', status: 'closed', open: null, close: null },
        { date: '2027-01-01', name: "New Year's Day", status: 'closed', open: null, close: null },
      ])
    })

    it('should say open, flagged simulated_always_open, with SIMULATED_MARKET_HOURS=always', async () => {
      now = et('2026-12-05T15:00:00') // Saturday
      const alwaysHttp = new Http(always)
      await alwaysHttp.signUp()
      const { status, json } = await alwaysHttp.get(path)
      expect(status).toBe(200)
      expect(json).toMatchObject({ market: 'open', simulated_always_open: true, next_open: iso('2026-12-07T09:30:00') })
    })
  })
}

describe('market status with a Massive key (the local Massive server)', () => {
  let massive: MassiveServer
  let app: App
  let http: Http
  let now = et('2026-12-08T11:00:00')
  const clock: Clock = { ...createSystemClock(), now: () => now }
  beforeAll(async () => {
    massive = createMassiveServer({ now: () => now })
    app = await startApp({ ...massiveAppEnv(massive), JWT_TTL_SECONDS: String(30 * 24 * 3600) }, { clock })
    http = new Http(app)
    await http.signUp()
  }, 30_000)
  afterAll(async () => {
    await app?.stop()
    await massive?.stop()
  })
  const statusCalls = () => massive.log.filter((r) => r.endpoint === 'marketStatus').map((r) => r.pathAndQuery)

  it('should read now and upcoming once, agree with the calendar, and reuse them within their cache times', async () => {
    massive.reset()
    const first = await http.get(path)
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ market: 'open', holiday: null, next_close: iso('2026-12-08T16:00:00') })
    expect(statusCalls().sort()).toEqual(['/v1/marketstatus/now', '/v1/marketstatus/upcoming'])
    now += 30_000
    await http.get(path)
    expect(statusCalls()).toHaveLength(2)
    now += 31_000 // `now` is kept a minute, upcoming for hours
    await http.get(path)
    expect(statusCalls()).toEqual(expect.arrayContaining(['/v1/marketstatus/now']))
    expect(statusCalls().filter((p) => p.endsWith('/upcoming'))).toHaveLength(1)
    expect(statusCalls()).toHaveLength(3)
  })

  it('should follow an unscheduled closure today (from now) and one announced ahead (from upcoming)', async () => {
    massive.switches.marketOverrides = [
      { date: '2026-12-09', name: 'National Day of Mourning', status: 'closed' },
      { date: '2026-12-10', name: 'Storm', status: 'early_close' },
    ]
    now = et('2026-12-08T11:05:00') + 6 * 3_600_000 // 17:05: post-market; upcoming is due again after 6 h
    let res = await http.get(path)
    expect(res.json).toMatchObject({
      market: 'post',
      next_open: iso('2026-12-10T09:30:00'),
      next_close: iso('2026-12-10T13:00:00'),
    })
    expect(res.json.upcoming.slice(0, 2)).toEqual([
      { date: '2026-12-09', name: 'National Day of Mourning', status: 'closed', open: null, close: null },
      {
        date: '2026-12-10',
        name: 'Storm',
        status: 'early_close',
        open: iso('2026-12-10T09:30:00'),
        close: iso('2026-12-10T13:00:00'),
      },
    ])

    massive.switches.marketOverrides = [{ date: '2026-12-11', name: 'Power outage', status: 'closed' }]
    now = et('2026-12-11T10:00:00') // the provider says closed where the calendar has a session
    res = await http.get(path)
    expect(res.json).toMatchObject({
      market: 'closed',
      holiday: 'Unscheduled closure',
      next_open: iso('2026-12-14T09:30:00'),
    })
  })

  it('should answer from the calendar when the provider fails', async () => {
    massive.switches.serverError = 'always'
    now = et('2026-12-15T10:00:00')
    const res = await http.get(path)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ market: 'open', holiday: null })
  }, 30_000)
})

describe('SIMULATED_MARKET_HOURS', () => {
  it('should default to the calendar and accept only calendar or always', () => {
    expect(loadConfig({}).market.simulatedHours).toBe('calendar')
    expect(loadConfig({ SIMULATED_MARKET_HOURS: 'always' }).market.simulatedHours).toBe('always')
    expect(() => loadConfig({ SIMULATED_MARKET_HOURS: '24/7' })).toThrow(
      /SIMULATED_MARKET_HOURS: must be one of calendar, always/,
    )
  })
})

describe('MassiveMarketStatus spends the background share of the request budget', () => {
  it('should be refused at once, without a provider call, when only the interactive reserve is left', async () => {
    const massive = createMassiveServer()
    try {
      const http = new MassiveHttpClient({
        apiKey: massive.apiKey,
        baseUrl: massive.url,
        requestsPerMinute: 2,
        reservedInteractivePercent: 50, // 1 of 2 calls kept for interactive requests
        timeoutMs: 5_000,
        maxRetries: 0,
        clock: createSystemClock(),
      })
      const provider = new MassiveMarketStatus(http)
      expect((await provider.upcoming()).length).toBeGreaterThan(0)
      const refused = await provider.now().catch((e) => e)
      expect(refused.code).toBe('UPSTREAM_UNAVAILABLE')
      expect(refused.details).toMatchObject({ reason: 'UPSTREAM_RATE_LIMITED', priority: 'background' })
      expect(massive.counts.marketStatus).toBe(1)
    } finally {
      await massive.stop()
    }
  })
})
