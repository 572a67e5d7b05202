/** Per-user REST rate limits: the RateLimiter contract (memory; Redis as two replicas), Redis outages, and over HTTP the RateLimit headers, the 429 envelope, metrics, and one budget shared by two app instances on one Redis. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import Redis, { type RedisOptions } from 'ioredis'
import { RedisRateLimiter } from '../../src/adapters/redis/rate-limiter'
import type { App } from '../../src/app'
import { windowOf } from '../../src/core/rate-window'
import type { RatePolicy } from '../../src/ports/rate-limiter'
import { MemoryRateLimiter } from '../../src/adapters/memory/memory-rate-limiter'
import { rateLimiterContract } from '../contracts/rate-limiter.contract'
import { parseExposition } from '../support/exposition'
import { heldClock } from '../support/held-clock'
import { Http, postgresUrl, startApp } from '../support/harness'
import {
  connectRedis,
  freePort,
  PrivateRedisServer,
  requireSharedRedis,
  sharedRedisUrl,
  uniquePrefix,
  waitFor,
} from '../support/redis-harness'
import { createSilentLog } from '../support/silent-log'

const t0 = 1_700_000_000_000
const policy: RatePolicy = { name: 'rest', limit: 3, windowMs: 60_000 }

let admin: Redis
beforeAll(async () => {
  await requireSharedRedis() // an unreachable Redis fails the suite, never skips it
  admin = connectRedis()
})
afterAll(() => admin?.disconnect())

async function deleteKeys(prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    if (keys.length > 0) await admin.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

rateLimiterContract('MemoryRateLimiter', async () => {
  const limiter = new MemoryRateLimiter() // one process: both "replicas" are the same instance
  return { a: limiter, b: limiter, close: async () => {} }
})

rateLimiterContract('RedisRateLimiter', async () => {
  const prefix = uniquePrefix('ratelimit')
  const clients = [connectRedis(), connectRedis()]
  await Promise.all(clients.map((c) => c.ping()))
  const [a, b] = clients.map((redis) => new RedisRateLimiter({ redis, prefix, commandTimeoutMs: 2000 }))
  return {
    a,
    b,
    async close() {
      expect([a.degraded, b.degraded]).toEqual([false, false]) // every verdict came from Redis, none from a fallback
      await deleteKeys(prefix)
      for (const c of clients) c.disconnect()
    },
  }
})

describe('RedisRateLimiter', () => {
  const clients: Redis[] = []
  const servers: PrivateRedisServer[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect()
    for (const s of servers.splice(0)) await s.stop()
  })

  it('should give every window counter an expiry just past the window', async () => {
    const prefix = uniquePrefix('ratelimit')
    const redis = connectRedis()
    clients.push(redis)
    const limiter = new RedisRateLimiter({ redis, prefix })
    await limiter.take('42', policy, t0)
    const window = windowOf('42', policy, t0)
    const key = `${prefix}:ratelimit:rest:42:${window.index}`
    expect(await redis.get(key)).toBe('1')
    const ttl = await redis.pttl(key)
    expect(ttl).toBeGreaterThan(window.endsAt - t0)
    expect(ttl).toBeLessThanOrEqual(window.endsAt - t0 + 10_000)
    await deleteKeys(prefix)
  })

  const unreachable: [string, RedisOptions][] = [
    ['a client that queues while reconnecting', { retryStrategy: () => 100 }],
    ['a client that fails fast (as app.ts builds it)', { maxRetriesPerRequest: 1, enableOfflineQueue: false }],
  ]
  for (const [label, options] of unreachable)
    it(`should count in this process, quickly and without throwing, when Redis is unreachable (${label})`, async () => {
      const redis = new Redis(`redis://127.0.0.1:${freePort()}`, options)
      redis.on('error', () => {})
      clients.push(redis)
      const log = createSilentLog()
      const limiter = new RedisRateLimiter({ redis, prefix: uniquePrefix('ratelimit'), commandTimeoutMs: 200, log })
      const started = Date.now()
      const verdicts = []
      for (let i = 0; i < 4; i++) verdicts.push(await limiter.take('7', policy, t0))
      expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false])
      expect(Date.now() - started).toBeLessThan(3 * 4 * 200 + 1000) // four calls cut at 200 ms each, with a margin; the client alone would wait forever
      expect(limiter.degraded).toBe(true)
      expect(log.lines.filter((l) => l.level === 'warn').length).toBe(1) // once per outage, not once per call
    })

  it('should answer from this process while Redis hangs, and share again once it is back', async () => {
    const server = new PrivateRedisServer()
    servers.push(server)
    await server.start()
    const [one, two] = [connectRedis(server.url), connectRedis(server.url)]
    clients.push(one, two)
    const log = createSilentLog()
    const prefix = uniquePrefix('ratelimit')
    const a = new RedisRateLimiter({ redis: one, prefix, commandTimeoutMs: 200, log })
    const b = new RedisRateLimiter({ redis: two, prefix, commandTimeoutMs: 200 })
    expect((await b.take('9', policy, t0)).remaining).toBe(2)

    server.pause()
    // a has counted nothing itself: during the outage it allows the whole limit on its own.
    expect((await a.take('9', policy, t0)).remaining).toBe(2)
    expect(a.degraded).toBe(true)

    server.resume()
    await waitFor(async () => (await a.take('x', policy, t0), !a.degraded), 5000, 'a shares again')
    // Shared again: what one counts, the other sees.
    expect((await b.take('10', policy, t0)).remaining).toBe(2)
    expect((await a.take('10', policy, t0)).remaining).toBe(1)
    expect((await b.take('10', policy, t0)).remaining).toBe(0)
    expect((await a.take('10', policy, t0)).allowed).toBe(false)
    expect(log.lines.filter((l) => l.level === 'warn').length).toBe(1)
    expect(log.lines.filter((l) => l.level === 'info').length).toBe(1)
  })
})

const limitsEnv = {
  DATABASE_URL: postgresUrl,
  RATE_LIMIT_MARKET_PER_MINUTE: '3',
  RATE_LIMIT_REST_PER_MINUTE: '5',
  PREFETCH_INTERVAL_SECONDS: '0',
}

describe('per-user REST rate limits over HTTP', () => {
  let app: App
  const clock = heldClock()
  beforeAll(async () => {
    app = await startApp(limitsEnv, { clock })
  })
  afterAll(() => app.stop())

  it('should send RateLimit-Policy and RateLimit on every answer of a limited route, counting the user down', async () => {
    const http = new Http(app)
    const { userId } = await http.signUp()
    const reset = Math.ceil((windowOf(String(userId), { name: 'user-rest', limit: 5, windowMs: 60_000 }, clock.at).endsAt - clock.at) / 1000)
    const answers = [await http.get('/api/v1/watchlist'), await http.get('/api/v1/auth/me'), await http.post('/api/v1/watchlist', { ticker: '!!' })]
    expect(answers.map((a) => a.status)).toEqual([200, 200, 400])
    expect(answers.map((a) => a.headers.get('ratelimit-policy'))).toEqual(['5;w=60', '5;w=60', '5;w=60'])
    expect(answers.map((a) => a.headers.get('ratelimit'))).toEqual([
      `limit=5, remaining=4, reset=${reset}`,
      `limit=5, remaining=3, reset=${reset}`,
      `limit=5, remaining=2, reset=${reset}`,
    ])
    // Unlimited routes (sign-in, logout) and refusals before sign-in carry no budget.
    expect((await new Http(app).get('/api/v1/watchlist')).headers.get('ratelimit')).toBeNull()
  })

  it('should answer 429 RATE_LIMITED in the error envelope, with Retry-After equal to the reset, once the budget is spent', async () => {
    const http = new Http(app)
    const { userId } = await http.signUp()
    const market: RatePolicy = { name: 'user-market', limit: 3, windowMs: 60_000 }
    const reset = Math.ceil((windowOf(String(userId), market, clock.at).endsAt - clock.at) / 1000)
    const ok = []
    for (let i = 0; i < 3; i++) ok.push(await http.get('/api/v1/market-data/snapshots?tickers=AAPL'))
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200])
    const refused = await http.get('/api/v1/options/expirations?underlying=AAPL') // options share the market budget
    expect(refused.status).toBe(429)
    expect(refused.json.error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { budget: 'market', limit: 3, window_seconds: 60 },
    })
    expect(refused.json.error.request_id).toBe(refused.headers.get('x-request-id'))
    expect(refused.headers.get('retry-after')).toBe(String(reset))
    expect(refused.headers.get('ratelimit')).toBe(`limit=3, remaining=0, reset=${reset}`)
    expect(refused.headers.get('ratelimit-policy')).toBe('3;w=60')
    // The rest budget and other users are untouched.
    expect((await http.get('/api/v1/watchlist')).status).toBe(200)
    const other = new Http(app)
    await other.signUp()
    expect((await other.get('/api/v1/market-data/snapshots?tickers=AAPL')).status).toBe(200)
    // The next window starts from zero.
    const saved = clock.at
    clock.at += reset * 1000
    try {
      const again = await http.get('/api/v1/market-data/snapshots?tickers=AAPL')
      expect(again.status).toBe(200)
      expect(again.headers.get('ratelimit')).toStartWith('limit=3, remaining=2, ')
    } finally {
      clock.at = saved
    }
  })

  it('should count refusals by budget in /metrics', async () => {
    const http = new Http(app)
    await http.signUp()
    const before = parseExposition((await http.get('/metrics')).text)
    for (let i = 0; i < 7; i++) await http.get('/api/v1/watchlist')
    const after = parseExposition((await http.get('/metrics')).text)
    const refused = (m: typeof after, limit: string) => m.value('marketwatch_rate_limited_total', { limit })
    expect(refused(after, 'rest') - refused(before, 'rest')).toBe(2)
    expect(refused(after, 'market') - refused(before, 'market')).toBe(0)
    expect(after.families.get('marketwatch_rate_limited_total')!.type).toBe('counter')
  })

  it('should list 429 in the OpenAPI responses of limited routes', async () => {
    const doc = (await new Http(app).get('/docs/json')).json
    for (const [path, method] of [
      ['/api/v1/market-data/bars', 'get'],
      ['/api/v1/options/chain', 'get'],
      ['/api/v1/watchlist', 'post'],
      ['/api/v1/auth/me', 'get'],
    ])
      expect(Object.keys(doc.paths[path][method].responses)).toContain('429')
  })
})

describe('rate limits turned off', () => {
  it('should send no RateLimit fields and never refuse with a budget of 0', async () => {
    const app = await startApp({ ...limitsEnv, RATE_LIMIT_REST_PER_MINUTE: '0' })
    try {
      const http = new Http(app)
      await http.signUp()
      const answers = []
      for (let i = 0; i < 8; i++) answers.push(await http.get('/api/v1/watchlist'))
      expect(answers.every((a) => a.status === 200 && a.headers.get('ratelimit') === null)).toBe(true)
    } finally {
      await app.stop()
    }
  })
})

describe('per-user rate limits across two app instances on one Redis', () => {
  const prefix = uniquePrefix('ratelimit-apps')
  const clock = heldClock()
  let apps: App[] = []
  beforeAll(async () => {
    const env = { ...limitsEnv, REDIS_URL: sharedRedisUrl, REDIS_PREFIX: prefix }
    apps = [await startApp(env, { clock }), await startApp(env, { clock })]
  })
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()))
    await deleteKeys(prefix)
  })

  it('should share one budget: five requests spread over both spend it on either', async () => {
    const [one, two] = apps.map((app) => new Http(app))
    const { token } = await one.signUp()
    two.token = token
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await (i % 2 ? two : one).get('/api/v1/watchlist')).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200])
    for (const http of [one, two]) {
      const refused = await http.get('/api/v1/auth/me')
      expect(refused.status).toBe(429)
      expect(refused.json.error.code).toBe('RATE_LIMITED')
      expect(refused.headers.get('ratelimit')).toStartWith('limit=5, remaining=0, ')
    }
  })
})
