/** Shared resources under hostile clients: the client address behind trusted proxies only, the per-address registration limit, the bounded password-hashing gate, and CORS that never reflects any origin. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { createDb, type DbHandle } from '../../src/adapters/db/client'
import { createUserRepo } from '../../src/adapters/db/repos/users'
import type { App } from '../../src/app'
import { BoundedSemaphore } from '../../src/core/bounded-semaphore'
import { createCors } from '../../src/http/cors'
import { AuthService } from '../../src/services/auth-service'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import { MemoryLoginAttempts } from '../../src/adapters/memory/memory-login-attempts'
import { MemoryRateLimiter } from '../../src/adapters/memory/memory-rate-limiter'
import { Http, postgresUrl, startApp, uniqueEmail } from '../support/harness'
import { heldClock } from '../support/held-clock'

const baseEnv = { DATABASE_URL: postgresUrl, PREFETCH_INTERVAL_SECONDS: '0' }

describe('client address: the socket peer unless proxies are trusted', () => {
  let app: App
  let url: string
  beforeAll(async () => {
    app = await startApp({ ...baseEnv, LOGIN_MAX_FAILURES_PER_ADDRESS: '3' })
    ;({ url } = await app.listen())
  })
  afterAll(() => app.stop())

  it('should throttle by the socket address when no proxy is trusted, whatever X-Forwarded-For says', async () => {
    const statuses = []
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
        body: JSON.stringify({ email: uniqueEmail(), password: 'wrong-password' }),
      })
      statuses.push(res.status)
    }
    expect(statuses).toEqual([401, 401, 401, 429])
  })
})

describe('client address behind one trusted proxy', () => {
  let app: App
  beforeAll(async () => {
    // TRUST_PROXY=true (the older setting) means one hop; it used to take the leftmost entry.
    app = await startApp({ ...baseEnv, TRUST_PROXY: 'true', LOGIN_MAX_FAILURES_PER_ADDRESS: '3' })
  })
  afterAll(() => app.stop())

  it('should not let a client dodge the per-address login limit by writing its own X-Forwarded-For entries', async () => {
    const http = new Http(app)
    const statuses = []
    for (let i = 0; i < 4; i++) {
      // The client forges a different leftmost entry each time; the proxy appends the real address.
      const forged = `10.9.${i}.${i}, 203.0.113.50`
      statuses.push(
        (await http.post('/api/v1/auth/login', { email: uniqueEmail(), password: 'wrong-password' }, { 'x-forwarded-for': forged })).status,
      )
    }
    expect(statuses).toEqual([401, 401, 401, 429])
    const other = await http.post(
      '/api/v1/auth/login',
      { email: uniqueEmail(), password: 'wrong-password' },
      { 'x-forwarded-for': '203.0.113.50, 203.0.113.51' },
    )
    expect(other.status).toBe(401)
  })
})

describe('registration limit per client address', () => {
  let app: App
  beforeAll(async () => {
    // The limit counts in fixed windows (staggered by address): on the real clock a window could end between the test's
    // second and third registration, letting the third in. The app's clock is held, so all of them fall in one window.
    app = await startApp({ ...baseEnv, TRUST_PROXY_HOPS: '1', REGISTER_MAX_PER_ADDRESS: '2', REGISTER_WINDOW_SECONDS: '600' }, { clock: heldClock() })
  })
  afterAll(() => app.stop())

  const register = (http: Http, address: string, email = uniqueEmail()) =>
    http.post('/api/v1/auth/register', { email, password: 'correct horse battery' }, { 'x-forwarded-for': address })

  it('should answer 429 REGISTRATION_THROTTLED with Retry-After past the limit, per address', async () => {
    const http = new Http(app)
    // Refused input costs no hashing and does not count.
    const invalid = await http.post('/api/v1/auth/register', { email: 'nope', password: 'x' }, { 'x-forwarded-for': '192.0.2.1' })
    expect(invalid.status).toBe(400)
    const statuses = [(await register(http, '192.0.2.1')).status, (await register(http, '192.0.2.1')).status]
    expect(statuses).toEqual([201, 201])
    const refused = await register(http, '192.0.2.1')
    expect(refused.status).toBe(429)
    expect(refused.json.error.code).toBe('REGISTRATION_THROTTLED')
    expect(refused.json.error.request_id).toBe(refused.headers.get('x-request-id'))
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(600)
    expect((await register(http, '192.0.2.2')).status).toBe(201)
  })

  it('should count the throttled registrations in /metrics', async () => {
    const http = new Http(app)
    for (let i = 0; i < 4; i++) await register(http, '192.0.2.9')
    const metrics = (await http.get('/metrics')).text
    expect(metrics).toMatch(/^marketwatch_rate_limited_total\{limit="register"\} [1-9]\d*$/m)
  })
})

describe('password hashing gate', () => {
  let db: DbHandle
  beforeAll(async () => {
    db = await createDb({ databaseUrl: postgresUrl, dataDir: 'memory://' })
  })
  afterAll(() => db.close())

  const makeService = (gate: BoundedSemaphore) =>
    new AuthService(
      createUserRepo(db.db),
      new MemoryLoginAttempts({ maxPerAccount: 100, maxPerAddress: 100, windowMs: 60_000 }),
      createSystemClock(),
      { memoryCost: 4096, timeCost: 1 },
      { hashGate: gate, limiter: new MemoryRateLimiter(), registerPolicy: null },
    )

  /** Lets pending promise reactions run until `done` holds (no timers: the gate moves on microtasks). */
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 1000 && !done(); i++) await Promise.resolve()
    expect(done()).toBe(true)
  }

  it('should queue behind a busy slot, refuse beyond the queue with 503 SERVER_BUSY, and serve again once free', async () => {
    const gate = new BoundedSemaphore(1, 1)
    const service = makeService(gate)
    let release!: () => void
    const held = gate.tryRun(() => new Promise<void>((resolve) => (release = resolve)))!
    const email = uniqueEmail()
    const queued = service.register(email, 'correct horse battery', '192.0.2.1')
    await until(() => gate.stats().queued === 1)

    const busy = { code: 'SERVER_BUSY', status: 503, temporary: true, retryAfterSec: 1 }
    await expect(service.register(uniqueEmail(), 'correct horse battery', '192.0.2.1')).rejects.toMatchObject(busy)
    await expect(service.login(email, 'correct horse battery', '192.0.2.1')).rejects.toMatchObject(busy)
    await expect(service.login(uniqueEmail(), 'unknown-user-pw', '192.0.2.1')).rejects.toMatchObject(busy)
    expect(gate.stats()).toEqual({ running: 1, queued: 1, refused: 3 })

    release()
    await held
    expect((await queued).email).toBe(email)
    expect((await service.login(email, 'correct horse battery', '192.0.2.1')).email).toBe(email)
    // The dummy hash refused above is computed on the next unknown-email login.
    await expect(service.login(uniqueEmail(), 'unknown-user-pw', '192.0.2.1')).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    })
    expect(gate.stats()).toEqual({ running: 0, queued: 0, refused: 3 })
  })

  it('should answer a burst beyond the gate over HTTP with 503 SERVER_BUSY and Retry-After: 1, never a hang or a 500', async () => {
    const app = await startApp({
      ...baseEnv,
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE: '0',
      REGISTER_MAX_PER_ADDRESS: '0',
    })
    try {
      const http = new Http(app)
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          http.post('/api/v1/auth/register', { email: uniqueEmail(), password: 'correct horse battery' }),
        ),
      )
      const busy = answers.filter((a) => a.status === 503)
      expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(0)
      expect(busy.length).toBeGreaterThan(0)
      expect(busy.length + answers.filter((a) => a.status === 201).length).toBe(12)
      for (const a of busy) {
        expect(a.json.error.code).toBe('SERVER_BUSY')
        expect(a.headers.get('retry-after')).toBe('1')
      }
      const metrics = (await http.get('/metrics')).text
      expect(metrics).toContain(`marketwatch_password_hashes_refused_total ${busy.length}`)
    } finally {
      await app.stop()
    }
  })
})

describe('CORS never reflects an arbitrary origin with credentials', () => {
  const ask = (origins: string[], origin: string) =>
    new Elysia()
      .use(createCors(origins))
      .get('/x', () => 'ok')
      .handle(new Request('http://localhost/x', { headers: { origin } }))

  it('should answer only the exact configured origins, even if "*" reaches it', async () => {
    const exact = await ask(['https://app.example.com'], 'https://app.example.com')
    expect(exact.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(exact.headers.get('access-control-allow-credentials')).toBe('true')
    expect(exact.headers.get('access-control-expose-headers')).toContain('RateLimit-Policy')
    for (const origins of [['*'], ['https://app.example.com', '*'], ['https://*.example.com']]) {
      const evil = await ask(origins, 'https://evil.example.net')
      expect(evil.headers.get('access-control-allow-origin')).toBeNull()
      expect(evil.headers.get('access-control-allow-credentials')).toBeNull()
    }
  })
})
