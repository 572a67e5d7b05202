/** Options over HTTP through the real Massive adapter and the local Massive server: same values as the model, paging, shared calls, failures. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { simulatedChain, simulatedContract, simulatedExpirations } from '../../src/adapters/simulated/options'
import type { Clock } from '../../src/ports/clock'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import { Http, postgresUrl, startApp } from '../support/harness'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { expectedChain, expectedContract } from '../support/options-expected'

/** Wednesday 2025-03-12 14:00 New York: the market is open. */
const NOW = Date.UTC(2025, 2, 12, 18, 0)
const all = { contractType: null, gte: null, lte: null }

describe('options through Massive', () => {
  let massive: MassiveServer
  let app: App
  let http: Http
  let now = NOW
  const clock: Clock = { ...createSystemClock(), now: () => now }
  const optionCalls = (path: string) =>
    massive.log.filter((r) => r.endpoint === 'options' && r.pathAndQuery.startsWith(path))
  beforeAll(async () => {
    massive = createMassiveServer({ now: () => NOW })
    app = await startApp(
      { ...massiveAppEnv(massive), DATABASE_URL: postgresUrl, MASSIVE_TIMEOUT_MS: '1000' },
      { clock },
    )
    http = new Http(app)
    await http.signUp()
  })
  afterAll(async () => {
    await app.stop()
    await massive.stop()
  })
  beforeEach(() => {
    massive.reset()
    now += 60_000 // past every cache of the previous test
  })

  it('should list the expirations the provider lists, following its pages', async () => {
    const res = await http.get('/api/v1/options/expirations?underlying=AAPL')
    expect(res.status).toBe(200)
    expect(res.json.source).toBe('massive')
    expect(res.json.expirations.map((e: any) => e.date)).toEqual(simulatedExpirations('AAPL', NOW))
    expect(res.json.expirations[1]).toEqual({ date: '2025-03-21', days_to_expiry: 9, kind: 'monthly' })
    expect(optionCalls('/v3/reference/options/contracts').length).toBe(1) // AAPL lists fewer than 1000 contracts
  })

  it('should answer a chain bigger than one provider page equal to the model', async () => {
    const leaps = simulatedExpirations('BKNG', NOW).at(-1)!
    const res = await http.get(`/api/v1/options/chain?underlying=BKNG&expiration=${leaps}`)
    expect(res.status).toBe(200)
    const model = simulatedChain('BKNG', leaps, NOW, all)
    expect(model.length).toBeGreaterThan(250)
    expect(res.json).toEqual(expectedChain('BKNG', leaps, model, 'massive'))
    const pages = optionCalls('/v3/snapshot/options/BKNG')
    expect(pages.length).toBe(Math.ceil(model.length / 250))
    expect(pages.slice(1).every((p) => /^\/v3\/snapshot\/options\/BKNG\?cursor=[\w-]+$/.test(p.pathAndQuery))).toBe(
      true,
    )
  })

  it('should answer one contract equal to the model, and 404 for one the provider does not know', async () => {
    const ticker = simulatedChain('TSLA', '2025-03-21', NOW, all)[15]!.contract.ticker
    const res = await http.get(`/api/v1/options/contracts/${ticker}`)
    expect(res.status).toBe(200)
    expect(res.json).toEqual(expectedContract(simulatedContract(ticker, NOW)!, now, 'massive'))
    const unknown = await http.get('/api/v1/options/contracts/O:TSLA250321C00251000')
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'UNKNOWN_CONTRACT'])
  })

  it('should cost one upstream call for concurrent identical requests, and none while fresh', async () => {
    await http.get('/api/v1/options/expirations?underlying=MSFT')
    massive.reset()
    const url = '/api/v1/options/chain?underlying=MSFT&expiration=2025-03-21'
    const answers = await Promise.all(Array.from({ length: 8 }, () => http.get(url)))
    expect(answers.every((r) => r.status === 200)).toBe(true)
    expect(new Set(answers.map((r) => r.text)).size).toBe(1)
    expect(massive.counts.total).toBe(1)
    now += 1_000
    expect((await http.get(url)).status).toBe(200)
    expect(massive.counts.total).toBe(1)
    now += 5_000
    await http.get(url)
    expect(massive.counts.total).toBe(2)
    const contract = `/api/v1/options/contracts/${simulatedChain('MSFT', '2025-03-21', NOW, all)[0]!.contract.ticker}`
    await Promise.all(Array.from({ length: 5 }, () => http.get(contract)))
    expect(massive.counts.total).toBe(3)
    // Filters are applied to the one cached chain: other strike ranges and sides cost nothing more.
    const whole = (await http.get(url)).json.strikes as { strike: number; put: unknown }[]
    const [lo, mid, hi] = [0.25, 0.5, 0.75].map((q) => whole[Math.floor(q * whole.length)]!.strike)
    const ranges = [
      `&strike_gte=${mid}`,
      `&strike_lte=${mid + 0.5}`,
      `&contract_type=put&strike_gte=${lo}&strike_lte=${hi}`,
    ]
    for (const range of ranges) {
      const answer = await http.get(url + range)
      expect(answer.status).toBe(200)
      const strikes = answer.json.strikes as { strike: number; call: unknown }[]
      expect(strikes.length).toBeGreaterThan(0)
      expect(strikes.length).toBeLessThan(whole.length)
    }
    const puts = (await http.get(url + ranges[2])).json.strikes as { strike: number; call: unknown; put: unknown }[]
    expect(
      puts.filter((row) => !(row.call === null && row.put !== null && row.strike >= lo && row.strike <= hi)),
    ).toEqual([])
    expect(massive.counts.total).toBe(3)
  })

  it('should tell an unknown underlying and an unlisted expiration apart without asking for a chain', async () => {
    const unknown = await http.get('/api/v1/options/chain?underlying=ZZZZZ&expiration=2025-03-21')
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'UNKNOWN_UNDERLYING'])
    const missing = await http.get('/api/v1/options/chain?underlying=AMZN&expiration=2025-03-20')
    expect([missing.status, missing.json.error.code]).toEqual([404, 'EXPIRATION_NOT_FOUND'])
    expect(optionCalls('/v3/snapshot/options').length).toBe(0)
  })

  it('should map upstream failures to their codes, never a stack trace', async () => {
    const cases: [Partial<MassiveServer['switches']>, string, number, string][] = [
      [{ badKey: true }, 'NVDA', 502, 'UPSTREAM_AUTH_FAILED'],
      [{ notAuthorized: true }, 'META', 502, 'UPSTREAM_NOT_AUTHORIZED'],
      [{ malformed: 'shape' }, 'GOOGL', 502, 'UPSTREAM_BAD_RESPONSE'],
      [{ serverError: 'always' }, 'JPM', 503, 'UPSTREAM_UNAVAILABLE'],
      [{ rateLimit: 'always', rateLimitRetryAfterSec: 30 }, 'V', 503, 'UPSTREAM_UNAVAILABLE'],
    ]
    for (const [switches, underlying, status, code] of cases) {
      massive.reset()
      Object.assign(massive.switches, switches)
      for (const path of [
        `/api/v1/options/expirations?underlying=${underlying}`,
        `/api/v1/options/contracts/${simulatedChain(underlying, '2025-03-21', NOW, all)[10]!.contract.ticker}`,
      ]) {
        const res = await http.get(path)
        expect({ path, status: res.status, code: res.json.error.code }).toEqual({ path, status, code })
        expect(res.text).not.toContain('    at ')
      }
    }
    massive.reset()
    expect((await http.get('/api/v1/options/expirations?underlying=NVDA')).status).toBe(200)
  }, 30_000)
})
