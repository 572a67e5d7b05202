/** In-band token refresh over real sockets on a clock 20× fast: a refreshed stream outlives its first token, an unrefreshed one is warned and closed with 4502, and refused refreshes change nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SignJWT } from 'jose'
import { testJwtSecret, uniqueEmail } from '../support/harness'
import { createScaledClock } from '../support/scaled-clock'
import { closedWithin, StreamClient, type StreamMessage } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'
import { clockReaches } from '../support/wait'

/** App time runs 20× faster from a Wednesday 10:40 in New York (a busy market): a 120 s token lives 6 s. */
const scale = 20
const ttlSec = 120
const password = 'correct horse battery'
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())

describe('stream token refresh', () => {
  const clock = createScaledClock(scale, Date.UTC(2025, 2, 12, 14, 40))
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp({ JWT_TTL_SECONDS: String(ttlSec) }, { clock })
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  /** Waits until the app's clock reaches `at` (a timer on that clock). */
  const untilAppTime = (at: number) => clockReaches(clock, at)
  /** Timing allowance in app time: 1 s of a loaded machine's real time at 20x. */
  const slackMs = 1000 * scale
  const post = (path: string, body?: unknown, headers?: Record<string, string>) => {
    app.http.token = null // the harness client's own token would replace the header
    return app.http.post(path, body, headers)
  }
  /** A new account (with AAPL on its watchlist) and a login: one session. */
  async function account() {
    const email = uniqueEmail('refresh')
    expect((await post('/api/v1/auth/register', { email, password })).status).toBe(201)
    const login = async () => (await post('/api/v1/auth/login', { email, password })).json.token as string
    const token = await login()
    expect((await post('/api/v1/watchlist', { ticker: 'AAPL' }, bearer(token))).status).toBe(201)
    return { token, userId: claims(token).sub as string, login }
  }
  async function refreshOverRest(token: string): Promise<string> {
    const res = await post('/api/v1/auth/refresh', undefined, bearer(token))
    expect(res.status).toBe(200)
    return res.json.token
  }
  async function openStream(token: string): Promise<{ client: StreamClient; welcome: StreamMessage }> {
    const client = StreamClient.connect(app.wsUrl, { protocols: ['market-watch.v1', `bearer.${token}`] })
    return { client, welcome: await client.nextOf('welcome') }
  }
  const refreshInBand = (client: StreamClient, token: string, id: string) => {
    client.send({ action: 'refresh', token, id })
    return client.next((m) => m.data?.id === id)
  }
  const alive = async (client: StreamClient) => (await client.request({ action: 'ping', id: 'alive' })).type === 'pong'

  it('should keep streaming past the first token’s expiry after an in-band refresh, then close at the new one', async () => {
    const { token } = await account()
    const firstExpiry = claims(token).exp * 1000
    const { client, welcome } = await openStream(token)
    expect(welcome.data.token_expires_at).toBe(firstExpiry)
    expect((await client.request({ action: 'subscribe', symbols: ['AAPL'], id: 's' })).type).toBe('subscribed')
    await untilAppTime(firstExpiry - 80_000)
    const next = await refreshOverRest(token)
    const refreshed = await refreshInBand(client, next, 'r1')
    expect(refreshed.type).toBe('refreshed')
    expect(refreshed.data.token_expires_at).toBe(claims(next).exp * 1000)
    // The notice is about the new token; the old expiry passes without a close.
    const notice = await client.nextOf('token_expiring', 15_000)
    expect(notice.data.token_expires_at).toBe(refreshed.data.token_expires_at)
    await untilAppTime(firstExpiry + 10_000)
    expect(await alive(client)).toBe(true)
    expect(client.messages.some((m) => m.type === 'trade' && m.ts > firstExpiry)).toBe(true)
    const closed = await closedWithin(client, 15_000)
    expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4502, reason: 'TOKEN_EXPIRED' })
    expect(clock.now()).toBeGreaterThanOrEqual(refreshed.data.token_expires_at)
  }, 30_000)

  it('should warn a stream that does not refresh a minute before its token expires, and close it with 4502 at expiry', async () => {
    const { token } = await account()
    const expiry = claims(token).exp * 1000
    const { client } = await openStream(token)
    const notice = await client.nextOf('token_expiring', 15_000)
    expect(notice.data).toEqual({ token_expires_at: expiry })
    expect(Math.abs(notice.ts - (expiry - 60_000))).toBeLessThan(slackMs)
    const closed = await closedWithin(client, 15_000)
    expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4502, reason: 'TOKEN_EXPIRED' })
    const error = client.messages.at(-1)!
    expect(error.data.code).toBe('TOKEN_EXPIRED')
    expect(error.ts - expiry).toBeGreaterThanOrEqual(0)
    expect(error.ts - expiry).toBeLessThan(slackMs)
  }, 30_000)

  it('should refuse another user’s, a forged, an expired and a revoked token with their codes and keep the old expiry', async () => {
    const mine = await account()
    const other = await account()
    const expiry = claims(mine.token).exp * 1000
    const { client } = await openStream(mine.token)
    const forged = await new SignJWT({ email: 'x@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(mine.userId)
      .setExpirationTime(Math.floor(clock.now() / 1000) + 600)
      .sign(new TextEncoder().encode('another-secret-0123456789-abcdefghij'))
    const expired = await new SignJWT({ email: 'x@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(mine.userId)
      .setExpirationTime(Math.floor(clock.now() / 1000) - 60)
      .sign(new TextEncoder().encode(testJwtSecret))
    const signedOut = await mine.login()
    expect((await post('/api/v1/auth/logout', undefined, bearer(signedOut))).status).toBe(204)
    const codes: string[] = []
    for (const [i, bad] of [other.token, forged, expired, signedOut, 'garbage'].entries()) {
      const reply = await refreshInBand(client, bad, `bad-${i}`)
      expect(reply.type).toBe('error')
      codes.push(reply.data.code)
    }
    expect(codes).toEqual([
      'TOKEN_USER_MISMATCH',
      'TOKEN_SIGNATURE_INVALID',
      'TOKEN_EXPIRED',
      'TOKEN_REVOKED',
      'TOKEN_INVALID',
    ])
    expect(await alive(client)).toBe(true)
    const closed = await closedWithin(client, 15_000)
    expect(closed.code).toBe(4502)
    expect(client.messages.at(-1)!.ts - expiry).toBeLessThan(slackMs)
  }, 30_000)

  it('should follow the refreshed token’s session for sign-outs', async () => {
    const { token, login } = await account()
    const { client } = await openStream(token)
    // Moved onto another session of the same user: signing out the first one no longer closes it.
    const second = await login()
    expect((await refreshInBand(client, second, 'to-second')).type).toBe('refreshed')
    expect((await post('/api/v1/auth/logout', undefined, bearer(token))).status).toBe(204)
    expect(await alive(client)).toBe(true)
    // A refreshed token of the second session: signing out with the old token of that session closes it.
    expect((await refreshInBand(client, await refreshOverRest(second), 'same-session')).type).toBe('refreshed')
    expect((await post('/api/v1/auth/logout', undefined, bearer(second))).status).toBe(204)
    const closed = await closedWithin(client, 10_000)
    expect(closed.code).toBe(4502)
    expect(client.messages.at(-1)!.data).toMatchObject({ code: 'TOKEN_EXPIRED', details: { cause: 'TOKEN_REVOKED' } })
  }, 30_000)
})
