/** The HTTP edge: error envelope, request ids, 404/405, malformed and oversized bodies, CORS, probes, OpenAPI. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { Http, startApp } from '../support/harness'

describe('http edge', () => {
  let app: App
  let http: Http
  let url: string
  beforeAll(async () => {
    app = await startApp({ CORS_ORIGINS: 'https://terminal.example.com', MAX_BODY_BYTES: '2048' })
    http = new Http(app)
    ;({ url } = await app.listen())
  })
  afterAll(() => app.stop())

  it('should answer unknown routes with a JSON 404 and a request id', async () => {
    const res = await http.get('/api/v1/nope')
    expect(res.status).toBe(404)
    expect(res.json.error.code).toBe('NOT_FOUND')
    expect(res.json.error.request_id).toBe(res.headers.get('x-request-id')!)
  })

  it('should answer a wrong method with 405 and Allow', async () => {
    const res = await http.call('PUT', '/api/v1/watchlist')
    expect(res.status).toBe(405)
    expect(res.json.error.code).toBe('METHOD_NOT_ALLOWED')
    expect(res.headers.get('allow')).toContain('GET')
    expect((await http.call('PATCH', '/api/v1/watchlist/AAPL')).status).toBe(405)
  })

  it('should keep a sane incoming request id and replace a hostile one', async () => {
    expect((await http.get('/healthz', { 'x-request-id': 'abc-123' })).headers.get('x-request-id')).toBe('abc-123')
    expect((await http.get('/healthz', { 'x-request-id': 'a b<script>' })).headers.get('x-request-id')).not.toContain(
      '<',
    )
  })

  it('should answer malformed JSON with 400 MALFORMED_BODY', async () => {
    const res = await http.post('/api/v1/auth/login', '{"email":')
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('MALFORMED_BODY')
  })

  it('should answer a non-JSON body with 415', async () => {
    const res = await http.post('/api/v1/auth/login', 'email=a', {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(res.status).toBe(415)
    expect(res.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('should answer an oversized body with 413 over a real socket, declared or streamed', async () => {
    const big = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(3000) })
    const declared = await fetch(`${url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    })
    expect(declared.status).toBe(413)
    expect(((await declared.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE')
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big.repeat(4)))
        c.close()
      },
    })
    const streamed = await fetch(`${url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
    })
    expect(streamed.status).toBe(413)
  })

  it('should refuse a one-value query parameter sent twice with 400 INVALID_REQUEST naming it, over a real socket', async () => {
    const { token } = await new Http(app).signUp()
    const get = async (path: string) => {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })
      return { status: res.status, body: (await res.json()) as any }
    }
    // Elysia kept the last value: these answered MSFT bars, hour bars and one session signed out.
    for (const [path, field] of [
      ['/api/v1/market-data/bars?ticker=AAPL&ticker=MSFT&timespan=day&from=2026-11-02', '/ticker'],
      ['/api/v1/market-data/bars?ticker=AAPL&timespan=minute&timespan=hour&from=2026-11-02', '/timespan'],
      ['/api/v1/options/expirations?underlying=AAPL&underlying=SPY', '/underlying'],
      ['/api/v1/reference/tickers?search=app&search=micro', '/search'],
    ] as const) {
      const res = await get(path)
      expect({ path, status: res.status, code: res.body.error.code }).toEqual({ path, status: 400, code: 'INVALID_REQUEST' })
      expect(res.body.error.details.fields).toEqual([{ field, problem: 'given 2 times; send it once' }])
    }
    const logout = await fetch(`${url}/api/v1/auth/logout?everywhere=true&everywhere=false`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(logout.status).toBe(400)
    // A list parameter may repeat, and so may one no route reads.
    const snapshots = await get('/api/v1/market-data/snapshots?tickers=AAPL&tickers=MSFT&utm=a&utm=b')
    expect(snapshots.status).toBe(200)
    expect(snapshots.body.results.map((r: any) => r.ticker)).toEqual(['AAPL', 'MSFT'])
  })

  it('should answer a wrong-typed body with 400 and the field', async () => {
    const res = await http.post('/api/v1/auth/login', { email: 5, password: [] })
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('INVALID_REQUEST')
    expect(JSON.stringify(res.json.error.details)).toContain('email')
    expect(res.text).not.toContain(' at ')
  })

  it('should allow configured origins only', async () => {
    const ok = await http.call('OPTIONS', '/api/v1/watchlist', undefined, {
      origin: 'https://terminal.example.com',
      'access-control-request-method': 'POST',
    })
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://terminal.example.com')
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true')
    const other = await http.get('/healthz', { origin: 'https://evil.example.com' })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('should report liveness and readiness', async () => {
    expect((await http.get('/healthz')).json).toEqual({ status: 'ok' })
    const ready = await http.get('/readyz')
    expect(ready.status).toBe(200)
    expect(ready.json.checks.database).toBe('ok')
  })

  it('should publish an OpenAPI document built from the route schemas', async () => {
    const res = await http.get('/docs/json')
    expect(res.status).toBe(200)
    const paths = Object.keys(res.json.paths)
    for (const p of [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/me',
      '/api/v1/watchlist',
      '/api/v1/watchlist/{ticker}',
    ])
      expect(paths).toContain(p)
    expect(JSON.stringify(res.json.paths['/api/v1/watchlist'].post.responses)).toContain('409')
    const page = await http.get('/docs')
    expect(page.status).toBe(200)
    // The docs page must work offline: every script and stylesheet it loads is served by us.
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])
    expect(assets.length).toBeGreaterThan(0)
    for (const a of assets) {
      expect(a.startsWith('/')).toBe(true)
      expect((await http.get(a)).status).toBe(200)
    }
  })
})

describe('readiness when the database is gone', () => {
  it('should answer 503 not_ready', async () => {
    const app = await startApp()
    await app.db.close()
    const res = await new Http(app).get('/readyz')
    expect(res.status).toBe(503)
    expect(res.json.checks.database).toBe('failing')
  })
})
