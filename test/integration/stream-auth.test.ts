/** Stream handshake over real sockets: every auth carrier, the Origin rule for cookies, tokens of users that do not exist, and each refusal's error + close code. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SignJWT } from 'jose'
import { createTokenIssuer } from '../../src/adapters/auth/token-issuer'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import { closedWithin, StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'
import { testJwtSecret } from '../support/harness'

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
const sign = (claims: Record<string, unknown>, secret = testJwtSecret, exp = Math.floor(Date.now() / 1000) + 600) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(secret))

describe('stream handshake', () => {
  let app: StreamApp
  let token: string
  let userId: number
  beforeAll(async () => {
    app = await startStreamApp({ CORS_ORIGINS: 'http://app.example' })
    ;({ token, userId } = await app.http.signUp())
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  async function expectWelcome(client: StreamClient) {
    const welcome = await client.nextOf('welcome')
    expect(welcome.source).toBe('server')
    expect(welcome.data.user_id).toBe(userId)
    expect(welcome.data.protocol).toBe(1)
    expect(welcome.data.limits.max_subscriptions).toBe(50)
    const status = await client.nextOf('status')
    expect(status.data.upstream).toBe('ok')
    expect(status.data.connections).toEqual({ used: 1, max: 5 })
    client.close()
    await client.closed
  }

  async function expectRefusal(client: StreamClient, code: number, name: string) {
    const closed = await closedWithin(client, 2000)
    expect(closed.code).toBe(code)
    expect(closed.reason).toBe(name)
    expect(closed.afterMs).toBeLessThan(1500)
    expect(client.messages).toHaveLength(1)
    expect(client.messages[0].type).toBe('error')
    expect(client.messages[0].data.code).toBe(name)
    return client.messages[0]
  }

  it('should accept a token in the query', async () => {
    await expectWelcome(StreamClient.connect(`${app.wsUrl}?token=${token}`))
  }, 20_000)

  it('should accept the session cookie from the same site', async () => {
    await expectWelcome(
      StreamClient.connect(app.wsUrl, { headers: { cookie: `mw_token=${token}`, origin: `http://${app.host}` } }),
    )
  }, 20_000)

  it('should accept the session cookie from a configured CORS origin', async () => {
    await expectWelcome(StreamClient.connect(app.wsUrl, { headers: { cookie: `mw_token=${token}`, origin: 'http://app.example' } }))
  }, 20_000)

  it('should refuse the session cookie from a foreign origin with 4503', async () => {
    await expectRefusal(
      StreamClient.connect(app.wsUrl, { headers: { cookie: `mw_token=${token}`, origin: 'http://evil.example' } }),
      4503,
      'ORIGIN_NOT_ALLOWED',
    )
  }, 20_000)

  it('should refuse the session cookie without an Origin with 4503', async () => {
    await expectRefusal(StreamClient.connect(app.wsUrl, { headers: { cookie: `mw_token=${token}` } }), 4503, 'ORIGIN_NOT_ALLOWED')
  }, 20_000)

  it('should accept a bearer subprotocol and echo market-watch.v1', async () => {
    const client = StreamClient.connect(app.wsUrl, { protocols: ['market-watch.v1', `bearer.${token}`] })
    await client.opened
    expect(client.ws.protocol).toBe('market-watch.v1')
    await expectWelcome(client)
  }, 20_000)

  it('should accept an Authorization header, even with a foreign Origin', async () => {
    await expectWelcome(
      StreamClient.connect(app.wsUrl, { headers: { authorization: `Bearer ${token}`, origin: 'http://evil.example' } }),
    )
  }, 20_000)

  it("should read the cookie and the query behind a proxy's Basic credentials (a browser sends them on the upgrade too)", async () => {
    const basic = `Basic ${btoa('team:proxy-password')}`
    await expectWelcome(
      StreamClient.connect(app.wsUrl, { headers: { authorization: basic, cookie: `mw_token=${token}`, origin: `http://${app.host}` } }),
    )
    await expectWelcome(StreamClient.connect(`${app.wsUrl}?token=${token}`, { headers: { authorization: basic } }))
    await expectRefusal(StreamClient.connect(app.wsUrl, { headers: { authorization: basic } }), 4500, 'AUTH_REQUIRED')
  }, 20_000)

  it('should refuse a handshake without a token with 4500 AUTH_REQUIRED', async () => {
    await expectRefusal(StreamClient.connect(app.wsUrl), 4500, 'AUTH_REQUIRED')
  }, 20_000)

  it('should refuse forged, alg-none and garbage tokens with 4501 TOKEN_INVALID', async () => {
    const forged = await sign({ sub: String(userId), email: 'x@example.com' }, 'another-secret-0123456789-abcdefghij')
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(userId), email: 'x@example.com', exp: 9e9 })}.`
    const causes: string[] = []
    for (const bad of [forged, none, 'garbage']) {
      const error = await expectRefusal(StreamClient.connect(`${app.wsUrl}?token=${encodeURIComponent(bad)}`), 4501, 'TOKEN_INVALID')
      causes.push(error.data.details?.cause ?? 'TOKEN_INVALID')
    }
    expect(causes[0]).toBe('TOKEN_SIGNATURE_INVALID')
    expect(causes[2]).toBe('TOKEN_INVALID')
  }, 20_000)

  it('should refuse with 4501 (cause USER_NOT_FOUND) a valid token whose user does not exist, and one that names no user', async () => {
    const issuer = createTokenIssuer(testJwtSecret, createSystemClock(), 600)
    const ghost = await issuer.issue({ id: userId + 1_000_000, email: 'ghost@example.com' })
    const error = await expectRefusal(StreamClient.connect(`${app.wsUrl}?token=${ghost.token}`), 4501, 'TOKEN_INVALID')
    expect(error.data.details).toEqual({ cause: 'USER_NOT_FOUND' })
    const beyondColumn = await issuer.issue({ id: 9_007_199_254_740_991, email: 'ghost@example.com' })
    const beyond = await expectRefusal(StreamClient.connect(`${app.wsUrl}?token=${beyondColumn.token}`), 4501, 'TOKEN_INVALID')
    expect(beyond.data.details).toEqual({ cause: 'USER_NOT_FOUND' })
    const hex = await sign({ sub: '0x1', email: 'x@example.com', jti: crypto.randomUUID(), iat: Date.now() / 1000 })
    const notAnId = await expectRefusal(StreamClient.connect(`${app.wsUrl}?token=${hex}`), 4501, 'TOKEN_INVALID')
    expect(notAnId.data.message).toContain('sub')
  }, 20_000)

  it('should refuse an expired token with 4502 TOKEN_EXPIRED', async () => {
    const expired = await sign({ sub: String(userId), email: 'x@example.com' }, testJwtSecret, Math.floor(Date.now() / 1000) - 60)
    await expectRefusal(StreamClient.connect(app.wsUrl, { protocols: ['market-watch.v1', `bearer.${expired}`] }), 4502, 'TOKEN_EXPIRED')
  }, 20_000)

  it('should let an explicit token decide even when a valid cookie is present', async () => {
    await expectRefusal(
      StreamClient.connect(`${app.wsUrl}?token=garbage`, { headers: { cookie: `mw_token=${token}`, origin: `http://${app.host}` } }),
      4501,
      'TOKEN_INVALID',
    )
  }, 20_000)
})
