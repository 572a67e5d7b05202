/** Logout over HTTP: it revokes the presented token (one session or, with everywhere, all), idempotently; and across two replicas on one Redis. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { Http, postgresUrl, startApp, uniqueEmail } from '../support/harness'
import { connectRedis, requireSharedRedis, sharedRedisUrl, uniquePrefix } from '../support/redis-harness'

/** Registers a user and signs in twice: two sessions (two devices) of one account. */
async function twoSessions(http: Http) {
  const email = uniqueEmail('logout')
  const password = 'correct horse battery'
  expect((await http.post('/api/v1/auth/register', { email, password })).status).toBe(201)
  const login = async () => {
    const res = await http.post('/api/v1/auth/login', { email, password })
    expect(res.status).toBe(200)
    return res.json.token as string
  }
  return { email, password, login, tokens: [await login(), await login()] }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** The status and error code /me answers for a token. */
async function me(http: Http, token: string) {
  const res = await http.get('/api/v1/auth/me', bearer(token))
  return { status: res.status, code: res.json?.error?.code ?? null }
}

const ok = { status: 200, code: null }
const revoked = { status: 401, code: 'TOKEN_REVOKED' }

describe('logout', () => {
  let app: App
  let http: Http
  beforeAll(async () => {
    app = await startApp()
    http = new Http(app)
  })
  afterAll(() => app.stop())

  it('should refuse the logged-out token with 401 TOKEN_REVOKED while the same user’s other session still works', async () => {
    const { tokens } = await twoSessions(http)
    expect(await me(http, tokens[0])).toEqual(ok)
    const out = await http.post('/api/v1/auth/logout', undefined, bearer(tokens[0]))
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toContain('mw_token=;')
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0')
    expect(await me(http, tokens[0])).toEqual(revoked)
    expect(await me(http, tokens[1])).toEqual(ok)
    const watchlist = await http.get('/api/v1/watchlist', bearer(tokens[0])) // every authenticated route, not only /me
    expect({ status: watchlist.status, code: watchlist.json.error.code }).toEqual(revoked)
    expect((await http.get('/api/v1/watchlist', bearer(tokens[1]))).status).toBe(200)
  })

  it('should revoke the session cookie’s token when the cookie is what the request presents', async () => {
    const { tokens } = await twoSessions(http)
    expect((await http.post('/api/v1/auth/logout', undefined, { cookie: `mw_token=${tokens[0]}` })).status).toBe(204)
    expect(await me(http, tokens[0])).toEqual(revoked)
    const viaCookie = await http.get('/api/v1/auth/me', { cookie: `mw_token=${tokens[0]}` })
    expect({ status: viaCookie.status, code: viaCookie.json.error.code }).toEqual(revoked)
    expect(await me(http, tokens[1])).toEqual(ok)
  })

  it('should revoke every session of the user with everywhere=true, and still accept a sign-in right after', async () => {
    const { tokens, login } = await twoSessions(http)
    const other = await twoSessions(http)
    const out = await http.post('/api/v1/auth/logout?everywhere=true', undefined, bearer(tokens[1]))
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0')
    expect([await me(http, tokens[0]), await me(http, tokens[1])]).toEqual([revoked, revoked])
    expect(await me(http, other.tokens[0])).toEqual(ok) // another user is not affected
    expect(await me(http, await login())).toEqual(ok) // the cutoff is to the millisecond, not the second
  })

  it('should sign out only the presented session with everywhere=false', async () => {
    const { tokens } = await twoSessions(http)
    expect((await http.post('/api/v1/auth/logout?everywhere=false', undefined, bearer(tokens[0]))).status).toBe(204)
    expect([await me(http, tokens[0]), await me(http, tokens[1])]).toEqual([revoked, ok])
  })

  it('should answer 204 and clear the cookie without a token, with a bad one, and for a token already logged out', async () => {
    const { tokens } = await twoSessions(http)
    await http.post('/api/v1/auth/logout', undefined, bearer(tokens[0]))
    const cases: Record<string, string>[] = [
      {},
      bearer('garbage'),
      { cookie: 'mw_token=garbage' },
      bearer(tokens[0]),
      { authorization: 'Basic abc' },
    ]
    for (const headers of cases) {
      const res = await http.post('/api/v1/auth/logout', undefined, headers)
      expect({ headers, status: res.status }).toEqual({ headers, status: 204 })
      expect(res.headers.get('set-cookie')).toContain('Max-Age=0')
    }
    expect(await me(http, tokens[1])).toEqual(ok)
  })
})

describe('logout across two app replicas on one Redis', () => {
  const prefix = uniquePrefix('logout-apps')
  let apps: App[] = []
  beforeAll(async () => {
    await requireSharedRedis()
    const env = { REDIS_URL: sharedRedisUrl, REDIS_PREFIX: prefix, DATABASE_URL: postgresUrl }
    apps = [await startApp(env), await startApp(env)]
  })
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()))
    const admin = connectRedis()
    const keys = await admin.keys(`${prefix}:*`)
    if (keys.length > 0) await admin.del(...keys)
    admin.disconnect()
  })

  it('should refuse on replica B a token logged out on replica A, and keep the other session', async () => {
    const [a, b] = apps.map((app) => new Http(app))
    const { tokens } = await twoSessions(a)
    expect(await me(b, tokens[0])).toEqual(ok) // B has seen this token valid: nothing cached wrongly
    expect((await a.post('/api/v1/auth/logout', undefined, bearer(tokens[0]))).status).toBe(204)
    expect(await me(b, tokens[0])).toEqual(revoked)
    expect(await me(b, tokens[1])).toEqual(ok)
  })

  it('should refuse on replica A every session after sign-out everywhere on replica B', async () => {
    const [a, b] = apps.map((app) => new Http(app))
    const { tokens } = await twoSessions(a)
    expect((await b.post('/api/v1/auth/logout?everywhere=true', undefined, bearer(tokens[0]))).status).toBe(204)
    expect([await me(a, tokens[0]), await me(a, tokens[1])]).toEqual([revoked, revoked])
  })
})
