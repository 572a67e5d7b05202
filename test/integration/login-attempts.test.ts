/** Login throttles against the LoginAttempts contract (memory; Redis as two replicas), Redis outages, and two app replicas over HTTP. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import Redis, { type RedisOptions } from 'ioredis'
import { RedisLoginAttempts } from '../../src/adapters/redis/login-attempts'
import type { App } from '../../src/app'
import type { ThrottleLimits } from '../../src/ports/login-attempts'
import { MemoryLoginAttempts } from '../../src/adapters/memory/memory-login-attempts'
import { loginAttemptsContract } from '../contracts/login-attempts.contract'
import { Http, startApp, uniqueEmail } from '../support/harness'
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

const limits: ThrottleLimits = { maxPerAccount: 3, maxPerAddress: 5, windowMs: 60_000 }
const t0 = 1_700_000_000_000

let admin: Redis
beforeAll(async () => {
  await requireSharedRedis() // an unreachable Redis fails the suite, never skips it
  admin = connectRedis()
})
afterAll(() => admin?.disconnect())

/** Deletes every key under `prefix` on the shared Redis. */
async function deleteKeys(prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    if (keys.length > 0) await admin.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

loginAttemptsContract('MemoryLoginAttempts', async (limits) => {
  const attempts = new MemoryLoginAttempts(limits) // one process: both "replicas" are the same instance
  return { a: attempts, b: attempts, close: async () => {} }
})

loginAttemptsContract('RedisLoginAttempts', async (limits) => {
  const prefix = uniquePrefix('login')
  const clients = [connectRedis(), connectRedis()]
  await Promise.all(clients.map((c) => c.ping()))
  const [a, b] = clients.map((redis) => new RedisLoginAttempts({ redis, prefix, limits, commandTimeoutMs: 2000 }))
  return {
    a,
    b,
    async close() {
      expect([a.degraded, b.degraded]).toEqual([false, false]) // every answer came from Redis, none from a fallback
      await deleteKeys(prefix)
      for (const c of clients) c.disconnect()
    },
  }
})

describe('RedisLoginAttempts', () => {
  const clients: Redis[] = []
  const servers: PrivateRedisServer[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect()
    for (const s of servers.splice(0)) await s.stop()
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
      const attempts = new RedisLoginAttempts({
        redis,
        limits,
        prefix: uniquePrefix('login'),
        commandTimeoutMs: 200,
        log,
      })
      const started = Date.now()
      for (let i = 0; i < 3; i++) await attempts.recordFailure('ann@x.io', '10.1.0.1', t0 + i * 1000)
      expect(await attempts.check('ann@x.io', '10.1.0.2', t0 + 3000)).toEqual({
        allowed: false,
        retryAfterMs: 60_000 - 3000,
        scope: 'account',
      })
      await attempts.recordSuccess('ann@x.io')
      expect(await attempts.check('ann@x.io', '10.1.0.2', t0 + 3000)).toEqual({ allowed: true })
      expect(Date.now() - started).toBeLessThan(3 * 6 * 200 + 1000) // six calls cut at 200 ms each, with a margin; the client alone would wait forever
      expect(attempts.degraded).toBe(true)
      expect(log.lines.filter((l) => l.level === 'warn').length).toBe(1) // once per outage, not once per call
    })

  it('should answer from this process while Redis hangs, and share again once it is back', async () => {
    const server = new PrivateRedisServer()
    servers.push(server)
    await server.start()
    const [one, two] = [connectRedis(server.url), connectRedis(server.url)]
    clients.push(one, two)
    const log = createSilentLog()
    const prefix = uniquePrefix('login')
    const a = new RedisLoginAttempts({ redis: one, limits, prefix, commandTimeoutMs: 200, log })
    const b = new RedisLoginAttempts({ redis: two, limits, prefix, commandTimeoutMs: 200 })
    await a.recordFailure('ann@x.io', '10.2.0.1', t0)
    await a.recordFailure('ann@x.io', '10.2.0.1', t0 + 1000)
    expect(a.degraded).toBe(false)

    server.pause()
    const started = Date.now()
    expect(await a.check('ann@x.io', '10.2.0.1', t0 + 2000)).toEqual({ allowed: true })
    await a.recordFailure('ann@x.io', '10.2.0.1', t0 + 2000)
    expect(await a.check('ann@x.io', '10.2.0.1', t0 + 3000)).toEqual({
      allowed: false,
      retryAfterMs: 60_000 - 3000,
      scope: 'account',
    })
    expect(Date.now() - started).toBeLessThan(3 * 3 * 200 + 1000) // three calls cut at 200 ms each, with a margin; a hung Redis would hold them until resumed
    expect(a.degraded).toBe(true)

    server.resume()
    await waitFor(async () => (await a.check('ann@x.io', '10.2.0.1', t0 + 3000), !a.degraded), 5000, 'a shares again')
    expect(await a.check('ann@x.io', '10.2.0.1', t0 + 3000)).toMatchObject({ allowed: false, scope: 'account' })
    await b.recordFailure('bob@x.io', '10.2.0.2', t0 + 3000)
    await b.recordFailure('bob@x.io', '10.2.0.2', t0 + 3000)
    await b.recordFailure('bob@x.io', '10.2.0.2', t0 + 3000)
    expect(await a.check('bob@x.io', '10.2.0.9', t0 + 4000)).toMatchObject({ allowed: false, scope: 'account' })
    expect(log.lines.filter((l) => l.level === 'warn').length).toBe(1)
    expect(log.lines.filter((l) => l.level === 'info').length).toBe(1)
  })
})

describe('login throttle across two app replicas on one Redis', () => {
  const prefix = uniquePrefix('login-apps')
  let apps: App[] = []
  beforeAll(async () => {
    const env = {
      REDIS_URL: sharedRedisUrl,
      REDIS_PREFIX: prefix,
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '6',
      TRUST_PROXY: 'true',
    }
    apps = [await startApp(env), await startApp(env)]
  })
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()))
    await deleteKeys(prefix)
  })

  it('should refuse the fourth failed login on either replica after three spread over both', async () => {
    const [one, two] = apps.map((app) => new Http(app))
    const email = uniqueEmail()
    const login = (http: Http, i: number) =>
      http.post('/api/v1/auth/login', { email, password: 'wrong-password' }, { 'x-forwarded-for': `10.3.0.${i}` })
    const statuses = [(await login(one, 1)).status, (await login(two, 2)).status, (await login(one, 3)).status]
    expect(statuses).toEqual([401, 401, 401])
    for (const http of [one, two]) {
      const blocked = await login(http, 9)
      expect(blocked.status).toBe(429)
      expect(blocked.json.error.code).toBe('LOGIN_THROTTLED')
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    }
  })
})
