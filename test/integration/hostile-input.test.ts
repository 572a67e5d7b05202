/** User input that used to answer 500 with a stack trace, over HTTP on PGlite and PostgreSQL: each now has its own code. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import type { App } from '../../src/app'
import { engines, Http, startApp, uniqueEmail } from '../support/harness'

for (const [engine, databaseUrl] of engines) {
  describe(`hostile input on ${engine}`, () => {
    let app: App
    let url: string
    beforeAll(async () => {
      app = await startApp({ DATABASE_URL: databaseUrl ?? undefined })
      ;({ url } = await app.listen())
    })
    afterAll(() => app.stop())

    it('should answer 401 USER_NOT_FOUND to a valid token whose account was deleted, and store nothing', async () => {
      const http = new Http(app)
      const { userId } = await http.signUp()
      await app.db.db.execute(sql`delete from users where id = ${userId}`)
      const res = await http.post('/api/v1/watchlist', { ticker: 'AAPL' })
      expect({ status: res.status, code: res.json.error.code }).toEqual({ status: 401, code: 'USER_NOT_FOUND' })
      expect(res.text).not.toContain(' at ')
      const rows = await app.db.db.execute(sql`select count(*)::int as n from watchlist_items where user_id = ${userId}`)
      expect(Number((rows as any).rows?.[0]?.n ?? (rows as any)[0]?.n)).toBe(0)
    })

    it('should refuse an email with a NUL, another control character or an invisible format character as INVALID_EMAIL', async () => {
      const http = new Http(app)
      // Format characters (zero-width space and joiner, bidi override, soft hyphen, word joiner) were stored as typed: an account its owner could not type again.
      const invisible = [`a\u200bb@example.com`, `ab@exam\u200dple.com`, `\u202eab@example.com`, `ab@example.co\u00adm`, `ab\u2060@example.com`]
      for (const email of [`a\u0000b@example.com`, `ab@exa\u0001mple.com`, `ab@example.com\u007f`, ...invisible]) {
        const res = await http.post('/api/v1/auth/register', { email, password: 'correct horse battery' })
        expect({ status: res.status, code: res.json.error.code }).toEqual({ status: 400, code: 'INVALID_EMAIL' })
      }
      // A well-formed one still registers.
      expect((await http.post('/api/v1/auth/register', { email: uniqueEmail(), password: 'correct horse battery' })).status).toBe(201)
    })

    it('should refuse a JSON body nested thousands deep with 400 MALFORMED_BODY over a socket, on every body route', async () => {
      const { token } = await new Http(app).signUp()
      // 6,000 levels in 12 KB, under MAX_BODY_BYTES: the schema check's error report recursed past the stack (500 INTERNAL_ERROR).
      const deep = '['.repeat(6000) + ']'.repeat(6000)
      for (const [path, body] of [
        ['/api/v1/auth/register', `{"email":${deep},"password":"correct horse battery"}`],
        ['/api/v1/auth/login', `{"email":"a@example.com","password":${deep}}`],
        ['/api/v1/watchlist', `{"ticker":${deep}}`],
        ['/api/v1/watchlist', deep],
      ] as const) {
        const res = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        })
        const json = (await res.json()) as any
        expect({ path, status: res.status, code: json.error.code }).toEqual({ path, status: 400, code: 'MALFORMED_BODY' })
        expect(json.error.details).toEqual({ max_depth: 32 })
      }
      // A flat body with brackets inside its strings is not nested.
      const res = await fetch(`${url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail(), password: '[[[[{{{{"\\' + '['.repeat(40) }),
      })
      expect(res.status).toBe(201)
    })

    it('should refuse a ticker with letters outside A-Z that upper-case into it (ſ, ı), over a socket, on every ticker route', async () => {
      const { token } = await new Http(app).signUp()
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        return { path, status: res.status, code: ((await res.json()) as any).error?.code }
      }
      // 'ſ'.toUpperCase() is 'S' and 'ı'.toUpperCase() is 'I': these answered MSFT and IBM, past the documented A-Z rule and the OpenAPI pattern.
      expect(await call('GET', '/api/v1/market-data/bars?ticker=M%C5%BFft&timespan=day&from=2026-11-02')).toEqual({
        path: '/api/v1/market-data/bars?ticker=M%C5%BFft&timespan=day&from=2026-11-02',
        status: 400,
        code: 'INVALID_TICKER',
      })
      expect((await call('GET', '/api/v1/market-data/snapshots?tickers=%C4%B1bm')).code).toBe('INVALID_TICKER')
      expect((await call('POST', '/api/v1/watchlist', { ticker: 'Mſft' })).code).toBe('INVALID_TICKER')
      expect((await call('GET', '/api/v1/options/expirations?underlying=M%C5%BFft')).code).toBe('INVALID_UNDERLYING')
      expect((await call('GET', '/api/v1/options/contracts/O:M%C5%BFFT261224C00400000')).code).toBe('INVALID_OPTION_TICKER')
      // Lower case A-Z is still upper-cased.
      expect((await call('POST', '/api/v1/watchlist', { ticker: ' msft ' })).status).toBe(201)
    })

    it('should treat a session cookie with a broken % escape as a bad token (401), on every cookie route', async () => {
      const http = new Http(app)
      for (const [method, path] of [
        ['GET', '/api/v1/auth/me'],
        ['GET', '/api/v1/watchlist'],
        ['GET', '/api/v1/market-data/snapshots?tickers=AAPL'],
        ['POST', '/api/v1/auth/refresh'],
      ] as const) {
        const res = await http.call(method, path, undefined, { cookie: 'mw_token=%E0%A4%A; other=%%' })
        expect({ path, status: res.status }).toEqual({ path, status: 401 })
        expect(res.json.error.code).toMatch(/^TOKEN_/)
      }
      const logout = await http.call('POST', '/api/v1/auth/logout', undefined, { cookie: 'mw_token=%E0%A4%A' })
      expect(logout.status).toBe(204)
    })
  })
}
