/** GET /api/v1/reference/tickers: the symbol search, from the simulated universe and through the real Massive adapter against the local Massive-compatible server. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { Http, startApp } from '../support/harness'

const search = (http: Http, query: string) => http.get(`/api/v1/reference/tickers?${query}`)

for (const provider of ['simulated', 'massive'] as const) {
  describe(`symbol search (${provider})`, () => {
    let massive: MassiveServer | null = null
    let app: App
    let http: Http
    beforeAll(async () => {
      massive = provider === 'massive' ? createMassiveServer() : null
      app = await startApp(massive ? massiveAppEnv(massive) : {})
      http = new Http(app)
      await http.signUp()
    })
    afterAll(async () => {
      await app.stop()
      await massive?.stop()
    })

    it('should find companies by part of their name, with ticker, name, type and exchange', async () => {
      const res = await search(http, 'search=app&limit=10')
      expect(res.status).toBe(200)
      expect(res.json.items.length).toBeGreaterThan(0)
      expect(res.json.items.length).toBeLessThanOrEqual(10)
      expect(res.json.items).toContainEqual({ ticker: 'AAPL', name: 'Apple Inc.', type: 'CS', exchange: 'XNAS' })
      expect(res.json.items).toContainEqual(expect.objectContaining({ ticker: 'AMAT', name: 'Applied Materials, Inc.' }))
    })

    it('should put the exact ticker first and know the common ETFs', async () => {
      const res = await search(http, 'search=spy')
      expect(res.status).toBe(200)
      expect(res.json.items[0]).toEqual({ ticker: 'SPY', name: 'SPDR S&P 500 ETF Trust', type: 'ETF', exchange: 'ARCX' })
      const qqq = await search(http, 'search=QQQ&limit=1')
      expect(qqq.json.items).toEqual([expect.objectContaining({ ticker: 'QQQ', type: 'ETF' })])
      const sectors = await search(http, 'search=select%20sector&limit=50')
      expect(sectors.json.items.map((i: { ticker: string }) => i.ticker)).toEqual(
        expect.arrayContaining(['XLK', 'XLF', 'XLE']),
      )
    })

    it('should answer an empty list when nothing matches, and honour the limit', async () => {
      expect((await search(http, 'search=qqzzxx')).json).toEqual({ items: [] })
      expect((await search(http, 'search=a&limit=3')).json.items).toHaveLength(3)
      expect((await search(http, 'search=a')).json.items).toHaveLength(10)
    })

    it('should refuse bad input with stable codes', async () => {
      const cases: [string, string][] = [
        ['', 'INVALID_SEARCH'],
        ['search=', 'INVALID_SEARCH'],
        ['search=%20%20', 'INVALID_SEARCH'],
        [`search=${'a'.repeat(41)}`, 'INVALID_SEARCH'],
        ['search=%3Cscript%3E', 'INVALID_SEARCH'],
        ['search=app&limit=0', 'INVALID_LIMIT'],
        ['search=app&limit=51', 'INVALID_LIMIT'],
        ['search=app&limit=2.5', 'INVALID_LIMIT'],
      ]
      for (const [query, code] of cases) {
        const res = await search(http, query)
        expect({ query, status: res.status, code: res.json?.error?.code }).toEqual({ query, status: 400, code })
      }
    })

    it('should need a signed-in user', async () => {
      const anonymous = new Http(app)
      const res = await search(anonymous, 'search=app')
      expect(res.status).toBe(401)
    })
  })
}

describe('symbol search when the provider fails', () => {
  let massive: MassiveServer
  let app: App
  let http: Http
  beforeAll(async () => {
    massive = createMassiveServer()
    app = await startApp({ ...massiveAppEnv(massive), MASSIVE_TIMEOUT_MS: '1000' })
    http = new Http(app)
    await http.signUp()
  })
  afterAll(async () => {
    await app.stop()
    await massive.stop()
  })

  it('should answer the provider error codes, not a 500', async () => {
    massive.switches.badKey = true
    const bad = await search(http, 'search=app')
    massive.switches.badKey = false
    expect([bad.status, bad.json.error.code]).toEqual([502, 'UPSTREAM_AUTH_FAILED'])
    massive.switches.serverError = 'always'
    const down = await search(http, 'search=app')
    massive.switches.serverError = 0
    expect([down.status, down.json.error.code]).toEqual([503, 'UPSTREAM_UNAVAILABLE'])
    expect((await search(http, 'search=app')).status).toBe(200)
  })

  it('should ask the provider once per text while users type it again (any limit), and not keep a failure', async () => {
    const before = massive.counts.total
    const answers = await Promise.all(['search=micro&limit=3', 'search=MICRO', 'search=micro&limit=1'].map((q) => search(http, q)))
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
    expect(answers[1]!.json.items.map((i: { ticker: string }) => i.ticker)).toContain('MSFT')
    expect(answers.map((a) => a.json.items.length)).toEqual([
      Math.min(3, answers[1]!.json.items.length),
      answers[1]!.json.items.length,
      Math.min(1, answers[1]!.json.items.length),
    ])
    expect(massive.counts.total - before).toBe(1)
  })
})
