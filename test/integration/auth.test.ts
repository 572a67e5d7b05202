/** Accounts over HTTP on PGlite and PostgreSQL: register, login, me, logout, token failures, throttling, no account enumeration. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SignJWT } from 'jose'
import type { App } from '../../src/app'
import { engines, Http, startApp, testJwtSecret, uniqueEmail } from '../support/harness'

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
const sign = (claims: Record<string, unknown>, secret = testJwtSecret, exp = Math.floor(Date.now() / 1000) + 600) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(secret))

for (const [engine, databaseUrl] of engines) {
  describe(`auth on ${engine}`, () => {
    let app: App
    let http: Http
    beforeAll(async () => {
      app = await startApp({
        DATABASE_URL: databaseUrl ?? undefined,
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '6',
        TRUST_PROXY: 'true',
      })
      http = new Http(app)
    })
    afterAll(() => app.stop())

    it('should register, log in, and answer me with the normalised email', async () => {
      const email = uniqueEmail('Mixed').replace('mixed', 'MiXeD')
      const reg = await http.post('/api/v1/auth/register', { email: `  ${email} `, password: 'password-123' })
      expect(reg.status).toBe(201)
      expect(reg.json.user.email).toBe(email.toLowerCase())
      expect(reg.json.user).not.toHaveProperty('passwordHash')
      const login = await http.post('/api/v1/auth/login', { email: email.toUpperCase(), password: 'password-123' })
      expect(login.status).toBe(200)
      expect(login.json.token_type).toBe('Bearer')
      expect(Date.parse(login.json.expires_at)).toBeGreaterThan(Date.now())
      const cookie = login.headers.get('set-cookie')!
      expect(cookie).toContain(`mw_token=${login.json.token}`)
      expect(cookie).toContain('HttpOnly')
      expect(cookie).toContain('SameSite=Lax')
      expect(cookie).not.toContain('Secure')
      const me = await http.get('/api/v1/auth/me', { authorization: `Bearer ${login.json.token}` })
      expect(me.status).toBe(200)
      expect(me.json.user.email).toBe(email.toLowerCase())
      const viaCookie = await http.get('/api/v1/auth/me', { cookie: `mw_token=${login.json.token}` })
      expect(viaCookie.status).toBe(200)
      // Behind a proxy's Basic auth the browser sends its credentials with every request: the cookie still counts.
      const basic = `Basic ${btoa('team:proxy-password')}`
      const behindProxy = await http.get('/api/v1/auth/me', { authorization: basic, cookie: `mw_token=${login.json.token}` })
      expect(behindProxy.status).toBe(200)
      expect((await http.get('/api/v1/auth/me', { authorization: basic })).json.error.code).toBe('AUTH_REQUIRED')
      // A Bearer header decides, even without a token: the cookie is not read in its place.
      const emptyBearer = await http.get('/api/v1/auth/me', { authorization: 'Bearer', cookie: `mw_token=${login.json.token}` })
      expect(emptyBearer.json.error.code).toBe('AUTH_REQUIRED')
    })

    it('should store argon2id hashes, never the password', async () => {
      const email = uniqueEmail()
      await http.post('/api/v1/auth/register', { email, password: 'password-123' })
      const { users } = await import('../../src/adapters/db/tables')
      const { eq } = await import('drizzle-orm')
      const [row] = await app.db.db.select().from(users).where(eq(users.email, email))
      expect(row.passwordHash.startsWith('$argon2id$')).toBe(true)
      expect(row.passwordHash).not.toContain('password-123')
    })

    it('should refuse bad emails and passwords with field codes', async () => {
      const cases: [unknown, unknown, string][] = [
        ['not-an-email', 'password-123', 'INVALID_EMAIL'],
        ['', 'password-123', 'INVALID_EMAIL'],
        [`${'a'.repeat(250)}@x.com`, 'password-123', 'INVALID_EMAIL'],
        [uniqueEmail(), 'short', 'INVALID_PASSWORD'],
        [uniqueEmail(), 'x'.repeat(129), 'INVALID_PASSWORD'],
      ]
      for (const [email, password, code] of cases) {
        const res = await http.post('/api/v1/auth/register', { email, password })
        expect(res.status).toBe(400)
        expect(res.json.error.code).toBe(code)
      }
      const missing = await http.post('/api/v1/auth/register', { email: uniqueEmail() })
      expect(missing.status).toBe(400)
      expect(missing.json.error.code).toBe('INVALID_REQUEST')
    })

    it('should answer 409 EMAIL_TAKEN for a registered email', async () => {
      const email = uniqueEmail()
      expect((await http.post('/api/v1/auth/register', { email, password: 'password-123' })).status).toBe(201)
      const again = await http.post('/api/v1/auth/register', { email: email.toUpperCase(), password: 'other-password' })
      expect(again.status).toBe(409)
      expect(again.json.error.code).toBe('EMAIL_TAKEN')
    })

    it('should answer wrong password and unknown email identically', async () => {
      const email = uniqueEmail()
      await http.post('/api/v1/auth/register', { email, password: 'password-123' })
      const wrong = await http.post(
        '/api/v1/auth/login',
        { email, password: 'nope-nope-nope' },
        { 'x-forwarded-for': '10.1.0.1' },
      )
      const unknown = await http.post(
        '/api/v1/auth/login',
        { email: uniqueEmail(), password: 'nope-nope-nope' },
        { 'x-forwarded-for': '10.1.0.2' },
      )
      expect(wrong.status).toBe(401)
      expect(unknown.status).toBe(401)
      expect(wrong.json.error.code).toBe('INVALID_CREDENTIALS')
      expect(unknown.json.error.code).toBe(wrong.json.error.code)
      expect(unknown.json.error.message).toBe(wrong.json.error.message)
      expect(wrong.headers.get('set-cookie')).toBeNull()
    })

    it('should throttle failed logins per account with Retry-After, registered or not', async () => {
      for (const registered of [true, false]) {
        const email = uniqueEmail()
        if (registered) await http.post('/api/v1/auth/register', { email, password: 'password-123' })
        const statuses: number[] = []
        for (let i = 0; i < 4; i++)
          statuses.push(
            (
              await http.post(
                '/api/v1/auth/login',
                { email, password: 'wrong-password' },
                { 'x-forwarded-for': `10.2.${i}.${registered ? 1 : 2}` },
              )
            ).status,
          )
        expect(statuses).toEqual([401, 401, 401, 429])
        const blocked = await http.post(
          '/api/v1/auth/login',
          { email, password: 'password-123' },
          { 'x-forwarded-for': '10.2.9.9' },
        )
        expect(blocked.status).toBe(429)
        expect(blocked.json.error.code).toBe('LOGIN_THROTTLED')
        expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
      }
    })

    it('should throttle failed logins per client address across accounts', async () => {
      const statuses: number[] = []
      for (let i = 0; i < 7; i++)
        statuses.push(
          (
            await http.post(
              '/api/v1/auth/login',
              { email: uniqueEmail(), password: 'wrong-password' },
              { 'x-forwarded-for': '10.3.3.3' },
            )
          ).status,
        )
      expect(statuses.slice(0, 6).every((s) => s === 401)).toBe(true)
      expect(statuses[6]).toBe(429)
      const other = await http.post(
        '/api/v1/auth/login',
        { email: uniqueEmail(), password: 'wrong-password' },
        { 'x-forwarded-for': '10.3.3.4' },
      )
      expect(other.status).toBe(401)
    })

    it('should name each token failure with its own code', async () => {
      const { userId, email } = await new Http(app).signUp()
      const now = Math.floor(Date.now() / 1000)
      const cases: [string | null, string][] = [
        [null, 'AUTH_REQUIRED'],
        ['garbage', 'TOKEN_INVALID'],
        [
          await sign({ sub: String(userId), email }, 'another-secret-that-is-long-enough-000'),
          'TOKEN_SIGNATURE_INVALID',
        ],
        [await sign({ sub: String(userId), email }, testJwtSecret, now - 10), 'TOKEN_EXPIRED'],
        [
          `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(userId), email, exp: now + 600 })}.`,
          'TOKEN_ALG_NOT_ALLOWED',
        ],
        [await sign({ email }), 'TOKEN_INVALID'],
        [await sign({ sub: '1e0', email, iat: now, jti: crypto.randomUUID() }), 'TOKEN_INVALID'],
        [await sign({ sub: String(userId), email, iat: now + 3600, jti: crypto.randomUUID() }), 'TOKEN_INVALID'],
      ]
      for (const [token, code] of cases) {
        const res = await http.get('/api/v1/auth/me', token === null ? {} : { authorization: `Bearer ${token}` })
        expect({ code: res.json.error.code, status: res.status }).toEqual({ code, status: 401 })
      }
      const good = await http.get('/api/v1/auth/me', {
        authorization: `Bearer ${await sign({ sub: String(userId), email, iat: now, jti: crypto.randomUUID() })}`,
      })
      expect(good.status).toBe(200)
    })

    it('should clear the cookie on logout', async () => {
      const res = await http.post('/api/v1/auth/logout')
      expect(res.status).toBe(204)
      expect(res.headers.get('set-cookie')).toContain('Max-Age=0')
    })
  })
}
