/** Watchlists over HTTP on PGlite and PostgreSQL: normalisation, idempotence, order, cap, durability, isolation. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { engines, Http, startApp } from '../support/harness'

for (const [engine, databaseUrl] of engines) {
  describe(`watchlist on ${engine}`, () => {
    let app: App
    beforeAll(async () => {
      app = await startApp({ DATABASE_URL: databaseUrl ?? undefined, WATCHLIST_MAX: '3' })
    })
    afterAll(() => app.stop())

    it('should require authentication', async () => {
      const res = await new Http(app).get('/api/v1/watchlist')
      expect(res.status).toBe(401)
      expect(res.json.error.code).toBe('AUTH_REQUIRED')
    })

    it('should normalise, keep order, and treat a repeat add as a no-op', async () => {
      const http = new Http(app)
      await http.signUp()
      expect((await http.post('/api/v1/watchlist', { ticker: ' msft ' })).status).toBe(201)
      expect((await http.post('/api/v1/watchlist', { ticker: 'aapl' })).status).toBe(201)
      const again = await http.post('/api/v1/watchlist', { ticker: 'MSFT' })
      expect(again.status).toBe(200)
      expect(again.json.items.map((i: any) => i.ticker)).toEqual(['MSFT', 'AAPL'])
      expect(again.json.max).toBe(3)
      const list = await http.get('/api/v1/watchlist')
      expect(list.json.items.map((i: any) => i.ticker)).toEqual(['MSFT', 'AAPL'])
    })

    it('should refuse invalid tickers with INVALID_TICKER', async () => {
      const http = new Http(app)
      await http.signUp()
      for (const ticker of ['', '1ABC', 'TOOLONGTICKER', 'A B', 42, null]) {
        const res = await http.post('/api/v1/watchlist', { ticker })
        expect(res.status).toBe(400)
        expect(['INVALID_TICKER', 'INVALID_REQUEST']).toContain(res.json.error.code)
      }
      expect((await http.post('/api/v1/watchlist', { ticker: 'BRK.B' })).status).toBe(201)
    })

    it('should cap the list with WATCHLIST_FULL and change nothing', async () => {
      const http = new Http(app)
      await http.signUp()
      for (const t of ['AAPL', 'MSFT', 'NVDA'])
        expect((await http.post('/api/v1/watchlist', { ticker: t })).status).toBe(201)
      const full = await http.post('/api/v1/watchlist', { ticker: 'TSLA' })
      expect(full.status).toBe(409)
      expect(full.json.error.code).toBe('WATCHLIST_FULL')
      expect(full.json.error.details.max).toBe(3)
      expect((await http.post('/api/v1/watchlist', { ticker: 'AAPL' })).status).toBe(200)
      expect((await http.get('/api/v1/watchlist')).json.items).toHaveLength(3)
    })

    it('should hold the cap under concurrent adds', async () => {
      const http = new Http(app)
      await http.signUp()
      const results = await Promise.all(
        ['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN', 'META'].map((t) => http.post('/api/v1/watchlist', { ticker: t })),
      )
      expect(results.filter((r) => r.status === 201)).toHaveLength(3)
      expect(results.filter((r) => r.status === 409)).toHaveLength(3)
      expect((await http.get('/api/v1/watchlist')).json.items).toHaveLength(3)
    })

    it('should delete, and answer NOT_IN_WATCHLIST for a ticker not there', async () => {
      const http = new Http(app)
      await http.signUp()
      await http.post('/api/v1/watchlist', { ticker: 'AAPL' })
      await http.post('/api/v1/watchlist', { ticker: 'MSFT' })
      const del = await http.delete('/api/v1/watchlist/aapl')
      expect(del.status).toBe(200)
      expect(del.json.items.map((i: any) => i.ticker)).toEqual(['MSFT'])
      const again = await http.delete('/api/v1/watchlist/AAPL')
      expect(again.status).toBe(404)
      expect(again.json.error.code).toBe('NOT_IN_WATCHLIST')
      expect((await http.delete('/api/v1/watchlist/!!')).json.error.code).toBe('INVALID_TICKER')
    })

    it("should keep one user out of another user's list", async () => {
      const alice = new Http(app)
      const bob = new Http(app)
      await alice.signUp()
      await bob.signUp()
      await alice.post('/api/v1/watchlist', { ticker: 'AAPL' })
      expect((await bob.get('/api/v1/watchlist')).json.items).toEqual([])
      expect((await bob.delete('/api/v1/watchlist/AAPL')).status).toBe(404)
      expect((await alice.get('/api/v1/watchlist')).json.items.map((i: any) => i.ticker)).toEqual(['AAPL'])
    })
  })
}

describe('watchlist durability', () => {
  it('should survive a restart on PGlite in a data folder', async () => {
    const dir = `/tmp/mw-durability-${crypto.randomUUID()}`
    const first = await startApp({ DATA_DIR: dir })
    const http = new Http(first)
    const { email, password } = await http.signUp()
    await http.post('/api/v1/watchlist', { ticker: 'NVDA' })
    await http.post('/api/v1/watchlist', { ticker: 'AAPL' })
    await first.stop()
    const second = await startApp({ DATA_DIR: dir })
    const again = new Http(second)
    const login = await again.post('/api/v1/auth/login', { email, password })
    expect(login.status).toBe(200)
    again.token = login.json.token
    expect((await again.get('/api/v1/watchlist')).json.items.map((i: any) => i.ticker)).toEqual(['NVDA', 'AAPL'])
    await second.stop()
    await Bun.$`rm -rf ${dir}`
  })
})

describe('watchlist and the market', () => {
  it('should refuse a ticker the market does not know with UNKNOWN_TICKER', async () => {
    const app = await startApp()
    const http = new Http(app)
    await http.signUp()
    const res = await http.post('/api/v1/watchlist', { ticker: 'QQQQQ' })
    expect(res.status).toBe(404)
    expect(res.json.error.code).toBe('UNKNOWN_TICKER')
    expect((await http.get('/api/v1/watchlist')).json.items).toEqual([])
    await app.stop()
  })
})
