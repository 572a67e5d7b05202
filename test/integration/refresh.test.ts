/** POST /auth/refresh over HTTP on an injected clock: a new token of the same session, sign-out of any token revoking all of them, each refusal's code, and the absolute session limit. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { Http, startApp } from '../support/harness'

const ttlSec = 300
const maxAgeSec = 900
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())

describe('refresh', () => {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 5, 15, 0))
  let app: App
  let http: Http
  beforeAll(async () => {
    app = await startApp({ JWT_TTL_SECONDS: String(ttlSec), SESSION_MAX_SECONDS: String(maxAgeSec) }, { clock })
    http = new Http(app)
  })
  afterAll(() => app.stop())

  /** A fresh account; `http` keeps no token of its own (it would override the headers each call passes). */
  const signUp = async () => {
    const account = await http.signUp()
    http.token = null
    return account
  }
  const refresh = (headers: Record<string, string>) => http.post('/api/v1/auth/refresh', undefined, headers)
  /** Status and error code of GET /me with `token`. */
  const me = async (token: string) => {
    const res = await http.get('/api/v1/auth/me', bearer(token))
    return { status: res.status, code: res.json?.error?.code ?? null }
  }
  const refused = async (headers: Record<string, string>) => {
    const res = await refresh(headers)
    return { status: res.status, code: res.json?.error?.code ?? null }
  }

  it('should return a working token of the same session with a later exp, as a body like login’s and the cookie', async () => {
    const { token, userId, email } = await signUp()
    clock.advance(60_000)
    const res = await refresh(bearer(token))
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ token_type: 'Bearer', user: { id: userId, email } })
    const [before, after] = [claims(token), claims(res.json.token)]
    expect(after.jti).toBe(before.jti)
    expect(after.auth_time).toBe(before.auth_time)
    expect(after.iat).toBeGreaterThan(before.iat)
    expect(after.exp).toBe(before.exp + 60)
    expect(res.json.expires_at).toBe(new Date(after.exp * 1000).toISOString())
    expect(res.headers.get('set-cookie')).toContain(`mw_token=${res.json.token};`)
    expect(await me(res.json.token)).toEqual({ status: 200, code: null })
    expect(await me(token)).toEqual({ status: 200, code: null }) // the old token lives out its own exp
    clock.advance(250_000) // past the old exp, before the new one
    expect(await me(token)).toEqual({ status: 401, code: 'TOKEN_EXPIRED' })
    expect(await me(res.json.token)).toEqual({ status: 200, code: null })
  })

  it('should refresh the session cookie’s token when no bearer is sent', async () => {
    const { token } = await signUp()
    const res = await refresh({ cookie: `mw_token=${token}` })
    expect(res.status).toBe(200)
    expect(claims(res.json.token).jti).toBe(claims(token).jti)
  })

  it('should refuse every token of a session signed out with an old one, past that token’s own exp', async () => {
    const { token: old } = await signUp()
    clock.advance(120_000)
    const fresh = (await refresh(bearer(old))).json.token as string
    expect((await http.post('/api/v1/auth/logout', undefined, bearer(old))).status).toBe(204)
    expect(await me(fresh)).toEqual({ status: 401, code: 'TOKEN_REVOKED' })
    expect(await refused(bearer(fresh))).toEqual({ status: 401, code: 'TOKEN_REVOKED' })
    // Past the old token's exp, and after another sign-out (which sweeps out what has expired).
    clock.advance(200_000)
    const bystander = await signUp()
    await http.post('/api/v1/auth/logout', undefined, bearer(bystander.token))
    expect(await me(fresh)).toEqual({ status: 401, code: 'TOKEN_REVOKED' })
  })

  it('should revoke a refreshed session with a sign-out everywhere from another session', async () => {
    const account = await signUp()
    clock.advance(10_000)
    const refreshed = (await refresh(bearer(account.token))).json.token as string
    const other = (await http.post('/api/v1/auth/login', { email: account.email, password: account.password })).json
    expect((await http.post('/api/v1/auth/logout?everywhere=true', undefined, bearer(other.token))).status).toBe(204)
    expect(await me(refreshed)).toEqual({ status: 401, code: 'TOKEN_REVOKED' })
    const again = (await http.post('/api/v1/auth/login', { email: account.email, password: account.password })).json
    expect(await me(again.token)).toEqual({ status: 200, code: null })
  })

  it('should refuse a missing, malformed, expired or revoked token with its code', async () => {
    const { token: expiring } = await signUp()
    const { token: revoked } = await signUp()
    await http.post('/api/v1/auth/logout', undefined, bearer(revoked))
    expect(await refused({})).toEqual({ status: 401, code: 'AUTH_REQUIRED' })
    expect(await refused(bearer('garbage'))).toEqual({ status: 401, code: 'TOKEN_INVALID' })
    expect(await refused(bearer(revoked))).toEqual({ status: 401, code: 'TOKEN_REVOKED' })
    clock.advance((ttlSec + 1) * 1000)
    expect(await refused(bearer(expiring))).toEqual({ status: 401, code: 'TOKEN_EXPIRED' })
    const res = await refresh(bearer(expiring))
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('should answer 401 SESSION_TOO_OLD once the sign-in is older than SESSION_MAX_SECONDS', async () => {
    let { token } = await signUp()
    const signedInAt = claims(token).auth_time
    // Refresh every 4 minutes: each works while the sign-in is at most 15 minutes old.
    for (let i = 0; i < 3; i++) {
      clock.advance(240_000)
      const res = await refresh(bearer(token))
      expect(res.status).toBe(200)
      token = res.json.token
      expect(claims(token).auth_time).toBe(signedInAt)
    }
    clock.advance(240_000) // 16 minutes since sign-in; the token itself is valid for another minute
    expect(await me(token)).toEqual({ status: 200, code: null })
    expect(await refused(bearer(token))).toEqual({ status: 401, code: 'SESSION_TOO_OLD' })
  })
})
