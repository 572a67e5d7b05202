/** A provider that accepts connections and never answers: every upstream-dependent request answers 503 within the request deadline, over a real socket. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { Http, startApp } from '../support/harness'

describe('request deadline with a silent provider', () => {
  const deadlineMs = 1500
  let silent: Bun.TCPSocketListener<undefined>
  let app: App
  let base: string
  let token: string

  beforeAll(async () => {
    // Accepts TCP connections, reads what it is sent, and never writes a byte back.
    silent = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    app = await startApp({
      MASSIVE_API_KEY: 'k',
      MASSIVE_REST_URL: `http://127.0.0.1:${silent.port}`,
      MASSIVE_WS_URL: `ws://127.0.0.1:${silent.port}`,
      MASSIVE_TIMEOUT_MS: '60000',
      MASSIVE_REQUESTS_PER_MINUTE: '0',
      REQUEST_DEADLINE_MS: String(deadlineMs),
      HTTP_IDLE_TIMEOUT_SECONDS: '5',
      PREFETCH_INTERVAL_SECONDS: '0',
    })
    base = (await app.listen()).url
    token = (await new Http(app).signUp()).token
  })
  afterAll(async () => {
    await app.stop()
    silent.stop(true)
  })

  for (const path of [
    '/api/v1/market-data/bars?ticker=AAPL&timespan=day&from=2026-01-05&to=2026-01-09',
    '/api/v1/market-data/snapshots?tickers=AAPL',
    '/api/v1/options/expirations?underlying=AAPL',
  ]) {
    it(`should answer ${path.split('?')[0]} with 503 UPSTREAM_UNAVAILABLE and Retry-After within the deadline`, async () => {
      const started = performance.now()
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) })
      const elapsed = performance.now() - started
      const body = (await res.json()) as { error?: { code: string }; errors?: { code: string }[] }
      // Snapshots answer 200 with the ticker listed in `errors`; the others answer 503.
      const code = res.status === 200 ? body.errors?.[0]?.code : body.error?.code
      expect({ status: res.status, code }).toEqual(
        res.status === 200 ? { status: 200, code: 'SNAPSHOT_UNAVAILABLE' } : { status: 503, code: 'UPSTREAM_UNAVAILABLE' },
      )
      if (res.status === 503) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(elapsed).toBeGreaterThanOrEqual(deadlineMs - 50)
      expect(elapsed).toBeLessThan(deadlineMs + 3000)
    }, 30_000)
  }

  it('should answer a watchlist add of a ticker never seen (an upstream lookup) within the deadline', async () => {
    const started = performance.now()
    const res = await fetch(`${base}/api/v1/watchlist`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ticker: 'MSFT' }),
      signal: AbortSignal.timeout(20_000),
    })
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_UNAVAILABLE')
    expect(performance.now() - started).toBeLessThan(deadlineMs + 3000)
  }, 30_000)

  it('should refuse a request deadline that the idle timeout would cut', async () => {
    await expect(startApp({ REQUEST_DEADLINE_MS: '30000', HTTP_IDLE_TIMEOUT_SECONDS: '30' })).rejects.toThrow(/REQUEST_DEADLINE_MS/)
  })
})
