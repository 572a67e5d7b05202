/** GET /metrics as an operator reads it: the exposition parsed, counters moving with sign-ins, HTTP answers and stream connections, and the token rule. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { metricsAccess } from '../../src/http/modules/system/metrics'
import { parseExposition, type Exposition } from '../support/exposition'
import { Http, startApp, uniqueEmail } from '../support/harness'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { createScaledClock } from '../support/scaled-clock'
import { StreamClient, closedWithin } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'
import { waitForValue } from '../support/wait'

const metricsToken = 'metrics-token-0123456789abcdef'

async function scrape(app: App, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await new Http(app).get('/metrics', headers)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  return parseExposition(res.text)
}

/** Scrapes until `check` holds (HTTP requests are counted just after their response goes out); returns that scrape. */
function scrapeUntil(app: App, check: (m: Exposition) => boolean, timeoutMs = 10_000): Promise<Exposition> {
  return waitForValue(() => scrape(app), check, timeoutMs, 'a scrape passing the check')
}

describe('metrics access', () => {
  it('should be open in development and test, need the token when one is set, and be off in production without one', () => {
    expect(metricsAccess('development', null)).toEqual({ kind: 'open' })
    expect(metricsAccess('test', null)).toEqual({ kind: 'open' })
    expect(metricsAccess('production', null)).toEqual({ kind: 'off' })
    expect(metricsAccess('production', 't')).toEqual({ kind: 'token', token: 't' })
    expect(metricsAccess('test', 't')).toEqual({ kind: 'token', token: 't' })
  })

  describe('with METRICS_TOKEN', () => {
    let app: App
    beforeAll(async () => {
      app = await startApp({ METRICS_TOKEN: metricsToken })
    })
    afterAll(() => app.stop())

    it('should answer 401 with the error envelope without the token or with a wrong one (a user JWT included)', async () => {
      const http = new Http(app)
      const missing = await http.get('/metrics')
      expect(missing.status).toBe(401)
      expect(missing.json.error.code).toBe('AUTH_REQUIRED')
      expect(typeof missing.json.error.request_id).toBe('string')
      const wrong = await http.get('/metrics', { authorization: `Bearer ${metricsToken}x` })
      expect(wrong.status).toBe(401)
      expect(wrong.json.error.code).toBe('TOKEN_INVALID')
      const { token } = await http.signUp()
      const jwt = await http.get('/metrics', { authorization: `Bearer ${token}` })
      expect(jwt.status).toBe(401)
    })

    it('should answer the exposition with the token', async () => {
      const m = await scrape(app, { authorization: `Bearer ${metricsToken}` })
      expect(m.families.get('process_resident_memory_bytes')!.type).toBe('gauge')
      expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(0)
      expect(m.families.get('process_cpu_seconds_total')!.type).toBe('counter')
    })

    it('should document /metrics in the OpenAPI document with a summary and the metrics token scheme', async () => {
      const doc = (await new Http(app).get('/docs/json')).json
      expect(doc.paths['/metrics'].get.summary).toBe('Prometheus metrics of this replica')
      expect(doc.paths['/metrics'].get.security).toEqual([{ metricsToken: [] }])
      expect(doc.components.securitySchemes.metricsToken.scheme).toBe('bearer')
    })
  })

  describe('in production', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'production-secret-0123456789-abcdefghijkl' }

    it('should not serve /metrics (404, and absent from the docs) without METRICS_TOKEN', async () => {
      const app = await startApp(production)
      try {
        const http = new Http(app)
        const res = await http.get('/metrics')
        expect(res.status).toBe(404)
        expect(res.json.error.code).toBe('NOT_FOUND')
        expect((await http.get('/docs/json')).json.paths['/metrics']).toBeUndefined()
      } finally {
        await app.stop()
      }
    })

    it('should serve /metrics with METRICS_TOKEN and the token', async () => {
      const app = await startApp({ ...production, METRICS_TOKEN: metricsToken })
      try {
        expect((await new Http(app).get('/metrics')).status).toBe(401)
        expect((await scrape(app, { authorization: `Bearer ${metricsToken}` })).value('marketwatch_bus_healthy')).toBe(
          1,
        )
      } finally {
        await app.stop()
      }
    })
  })
})

describe('metrics of HTTP and sign-in', () => {
  let app: App
  beforeAll(async () => {
    app = await startApp()
  })
  afterAll(() => app.stop())

  const requests = 'marketwatch_http_requests_total'
  const logins = 'marketwatch_auth_logins_total'

  it('should count a failed and a successful sign-in under their outcomes', async () => {
    const http = new Http(app)
    const before = await scrape(app)
    const email = uniqueEmail()
    expect((await http.post('/api/v1/auth/register', { email, password: 'correct horse battery' })).status).toBe(201)
    expect((await http.post('/api/v1/auth/login', { email, password: 'wrong password here' })).status).toBe(401)
    const afterFailure = await scrapeUntil(
      app,
      (m) => m.value(logins, { outcome: 'invalid' }) > before.value(logins, { outcome: 'invalid' }),
    )
    expect(afterFailure.value(logins, { outcome: 'invalid' })).toBe(before.value(logins, { outcome: 'invalid' }) + 1)
    expect(afterFailure.value(logins, { outcome: 'ok' })).toBe(before.value(logins, { outcome: 'ok' }))

    expect((await http.post('/api/v1/auth/login', { email, password: 'correct horse battery' })).status).toBe(200)
    const afterSuccess = await scrapeUntil(
      app,
      (m) => m.value(logins, { outcome: 'ok' }) > before.value(logins, { outcome: 'ok' }),
    )
    expect(afterSuccess.value(logins, { outcome: 'ok' })).toBe(before.value(logins, { outcome: 'ok' }) + 1)
  })

  it('should count 200s and 404s under their route templates, never under the raw URL', async () => {
    const http = new Http(app)
    await http.signUp()
    const bars = '/api/v1/market-data/bars'
    const healthz = { method: 'GET', route: '/healthz', status: '200' }
    const unknownTicker = { method: 'GET', route: bars, status: '404' }
    const unmatched = { method: 'GET', route: 'unmatched', status: '404' }
    const before = await scrape(app)
    expect((await http.get('/healthz')).status).toBe(200)
    expect((await http.get(`${bars}?ticker=ZZZZQ&timespan=day&from=2025-01-02&to=2025-01-03`)).json.error.code).toBe(
      'UNKNOWN_TICKER',
    )
    expect((await http.get('/no/such/path/123')).status).toBe(404)
    const moved = (m: Exposition, labels: Record<string, string>) =>
      m.value(requests, labels) - before.value(requests, labels)
    const m = await scrapeUntil(
      app,
      (m) => moved(m, unmatched) > 0 && moved(m, unknownTicker) > 0 && moved(m, healthz) > 0,
    )
    expect(moved(m, healthz)).toBe(1)
    expect(moved(m, unknownTicker)).toBe(1)
    expect(moved(m, unmatched)).toBe(1)
    expect(
      m.samples(requests).some((s) => s.labels.route.includes('/no/such') || s.labels.route.includes('ZZZZQ')),
    ).toBe(false)

    // The latency histogram has one observation per request of the route, in buckets that add up.
    const duration = 'marketwatch_http_request_duration_seconds'
    const count = m.value(`${duration}_count`, { method: 'GET', route: '/healthz' }, duration)
    expect(count).toBe(m.value(requests, healthz))
    expect(m.value(`${duration}_bucket`, { method: 'GET', route: '/healthz', le: '+Inf' }, duration)).toBe(count)
    expect(m.value(`${duration}_bucket`, { method: 'GET', route: '/healthz', le: '5' }, duration)).toBeLessThanOrEqual(
      count,
    )
  })
  it('should tell bars pages answered from the page cache from those queried, and count the upstream fetches', async () => {
    const http = new Http(app)
    await http.signUp()
    const pages = 'marketwatch_bars_pages_total'
    const before = await scrape(app)
    const path = '/api/v1/market-data/bars?ticker=AAPL&timespan=day&from=2025-01-06&to=2025-01-10'
    expect((await http.get(path)).status).toBe(200)
    expect((await http.get(path)).status).toBe(200)
    const m = await scrape(app)
    expect(m.value(pages, { source: 'query' }) - before.value(pages, { source: 'query' })).toBe(1)
    expect(m.value(pages, { source: 'page_cache' }) - before.value(pages, { source: 'page_cache' })).toBe(1)
    const gaps = { kind: 'gap' }
    const fetches = 'marketwatch_bars_upstream_fetches_total'
    expect(m.value(fetches, gaps) - before.value(fetches, gaps)).toBeGreaterThanOrEqual(1)
    expect(m.value('marketwatch_upstream_rest_requests_total')).toBeGreaterThan(
      before.value('marketwatch_upstream_rest_requests_total'),
    )
  })
})

/** A Wednesday, 10:59:58 in New York: the simulated market trades (the clock runs 20× real time). */
const marketOpen = Date.UTC(2025, 2, 12, 14, 59, 58)

describe('metrics of the stream', () => {
  let app: StreamApp
  let token: string
  beforeAll(async () => {
    app = await startStreamApp({}, { clock: createScaledClock(20, marketOpen), tuning: { errorBudget: 2 } })
    ;({ token } = await app.http.signUp())
    expect((await app.http.post('/api/v1/watchlist', { ticker: 'AAPL' })).status).toBe(201)
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  const published = (m: Exposition, type: string) => m.value('marketwatch_stream_messages_published_total', { type })
  const closed = 'marketwatch_stream_connections_closed_total'

  it('should show an open, subscribed connection, messages published while it streams, and its close by code', async () => {
    const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    await client.nextOf('welcome')
    expect((await client.request({ action: 'subscribe', symbols: ['AAPL'] })).type).toBe('subscribed')
    const first = await scrape(app.app)
    expect(first.value('marketwatch_stream_connections')).toBe(1)
    expect(first.value('marketwatch_stream_connections_opened_total')).toBe(1)
    expect(first.value('marketwatch_stream_subscriptions')).toBe(1)
    expect(first.value('marketwatch_stream_symbols')).toBe(1)
    expect(first.value('marketwatch_upstream_state', { state: 'connected' })).toBe(1)

    await client.next((m) => m.type === 'trade' && m.symbol === 'AAPL')
    // Scraped once trades were published since the first scrape; each scrape follows a count of what the client held.
    const types = ['trade', 'bar', 'snapshot']
    let received: number[] = []
    const streaming = await waitForValue(
      () => {
        received = types.map((type) => client.messages.filter((m) => m.type === type && m.symbol === 'AAPL').length)
        return scrape(app.app)
      },
      (m) => published(m, 'trade') > published(first, 'trade'),
      10_000,
      'trades published while it streams',
    )
    expect(published(streaming, 'trade')).toBeGreaterThan(published(first, 'trade'))
    // Every market message this only client received was published once to its topic.
    for (const [i, type] of types.entries()) expect(published(streaming, type)).toBeGreaterThanOrEqual(received[i]!)
    expect(streaming.value('marketwatch_stream_published_bytes_total')).toBeGreaterThan(0)
    // One replica alone builds no bus batches of market messages (no other replica would read them:
    // symbol-pipeline.test.ts); its bus carries only control messages such as the feed's health.
    const busPublished = 'marketwatch_bus_messages_published_total'
    expect(streaming.value(busPublished)).toBeGreaterThanOrEqual(first.value(busPublished))

    client.ws.close(1000, 'done')
    expect((await closedWithin(client, 10_000)).code).toBe(1000)
    const after = await scrapeUntil(app.app, (m) => m.value('marketwatch_stream_connections') === 0)
    expect(after.value('marketwatch_stream_connections')).toBe(0)
    expect(after.value('marketwatch_stream_subscriptions')).toBe(0)
    expect(after.sum(closed)).toBe(1)
    expect(after.value(closed, { code: '1000', name: 'NORMAL' })).toBe(1)
  }, 20_000)

  it('should count refused handshakes, errors sent and a server-initiated close by code', async () => {
    const before = await scrape(app.app)
    const refused = StreamClient.connect(app.wsUrl)
    expect((await closedWithin(refused, 10_000)).code).toBe(4500)

    const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    await client.nextOf('welcome')
    expect((await client.request({ action: 'subscribe', symbols: ['MSFT'] })).data.code).toBe('NOT_IN_WATCHLIST')
    client.send('not json')
    client.send('not json')
    expect((await closedWithin(client, 10_000)).code).toBe(4505)

    const m = await scrapeUntil(app.app, (m) => m.value('marketwatch_stream_connections') === 0)
    const moved = (name: string, labels: Record<string, string>) => m.value(name, labels) - before.value(name, labels)
    expect(moved('marketwatch_stream_handshakes_refused_total', { code: '4500', name: 'AUTH_REQUIRED' })).toBe(1)
    expect(moved('marketwatch_stream_errors_sent_total', { code: 'NOT_IN_WATCHLIST' })).toBe(1)
    expect(moved('marketwatch_stream_errors_sent_total', { code: 'MALFORMED_MESSAGE' })).toBe(2)
    expect(moved('marketwatch_stream_errors_sent_total', { code: 'POLICY_VIOLATION' })).toBe(1)
    expect(moved(closed, { code: '4505', name: 'POLICY_VIOLATION' })).toBe(1)
    // Opened minus closed is what is open: every admitted connection is accounted for.
    expect(m.value('marketwatch_stream_connections_opened_total') - m.sum(closed)).toBe(0)
  }, 20_000)
})

describe('metrics of the Massive upstream', () => {
  let massive: MassiveServer
  let app: App
  beforeAll(async () => {
    massive = createMassiveServer()
    app = await startApp(massiveAppEnv(massive))
    await app.listen()
  }, 30_000)
  afterAll(async () => {
    await app?.stop()
    await massive?.stop()
  }, 30_000)

  it('should count REST calls by outcome and show the feed connected', async () => {
    const http = new Http(app)
    await http.signUp()
    expect((await http.post('/api/v1/watchlist', { ticker: 'AAPL' })).status).toBe(201)
    expect((await http.post('/api/v1/watchlist', { ticker: 'ZZZZQ' })).status).toBe(404)
    massive.switches.notAuthorized = true
    expect((await http.post('/api/v1/watchlist', { ticker: 'MSFT' })).status).toBe(502)
    const outcomes = 'marketwatch_upstream_rest_responses_total'
    const m = await scrapeUntil(app, (m) => m.value('marketwatch_upstream_state', { state: 'connected' }) === 1)
    expect(m.value(outcomes, { outcome: '200' })).toBeGreaterThanOrEqual(1)
    expect(m.value(outcomes, { outcome: '404' })).toBe(1)
    expect(m.value(outcomes, { outcome: '403' })).toBe(1)
    expect(m.sum(outcomes)).toBe(m.value('marketwatch_upstream_rest_requests_total'))
    expect(m.value('marketwatch_upstream_rest_health', { health: 'degraded' })).toBe(1)
    expect(m.value('marketwatch_node_info', { upstream: 'massive' })).toBe(1)
    expect(m.value('marketwatch_upstream_state', { state: 'connected' })).toBe(1)
  }, 20_000)
})
