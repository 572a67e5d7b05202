/** Logout and the stream over real sockets: open streams of a revoked token close with 4502 within a second (on every replica), its handshakes are refused, and a logout racing admission is not missed. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Http, postgresUrl, uniqueEmail } from '../support/harness'
import { RedisGateProxy } from '../support/redis-gate'
import { connectRedis, requireSharedRedis, sharedRedisUrl, uniquePrefix, waitFor } from '../support/redis-harness'
import { closedWithin, StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

/** Registers a user and signs in `count` times on `http`: that many sessions of one account. */
async function sessionsOf(http: Http, count: number): Promise<{ userId: number; tokens: string[] }> {
  const email = uniqueEmail('revoke')
  const password = 'correct horse battery'
  expect((await http.post('/api/v1/auth/register', { email, password })).status).toBe(201)
  const tokens: string[] = []
  let userId = 0
  for (let i = 0; i < count; i++) {
    const login = await http.post('/api/v1/auth/login', { email, password })
    tokens.push(login.json.token)
    userId = login.json.user.id
  }
  return { userId, tokens }
}

/** A stream with `token`, once the server has welcomed it. */
async function openStream(app: StreamApp, token: string): Promise<StreamClient> {
  const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
  await client.nextOf('welcome')
  return client
}

/** Logs out over HTTP and returns when the answer came (ms), to time the close from. */
async function logout(app: StreamApp, token: string, everywhere = false): Promise<number> {
  const res = await app.http.post(`/api/v1/auth/logout${everywhere ? '?everywhere=true' : ''}`, undefined, {
    authorization: `Bearer ${token}`,
  })
  expect(res.status).toBe(204)
  return Date.now()
}

/** Expects the close an expired token gets (4502), within a second of `since`, after an error naming TOKEN_REVOKED. */
async function expectSignedOut(client: StreamClient, since: number) {
  const closed = await closedWithin(client, 1500)
  expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4502, reason: 'TOKEN_EXPIRED' })
  expect(Date.now() - since).toBeLessThan(1000)
  const error = client.messages.at(-1)!
  expect(error.type).toBe('error')
  expect(error.data).toMatchObject({ code: 'TOKEN_EXPIRED', details: { cause: 'TOKEN_REVOKED' } })
}

/** Expects a handshake with `token` to be refused like an expired token, naming TOKEN_REVOKED. */
async function expectRefused(app: StreamApp, token: string) {
  const client = StreamClient.connect(app.wsUrl, { protocols: ['market-watch.v1', `bearer.${token}`] })
  const closed = await closedWithin(client, 2000)
  expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4502, reason: 'TOKEN_EXPIRED' })
  expect(client.messages).toHaveLength(1)
  expect(client.messages[0].data).toMatchObject({ code: 'TOKEN_EXPIRED', details: { cause: 'TOKEN_REVOKED' } })
}

/** True when the stream still answers: a ping gets its pong. */
async function stillOpen(client: StreamClient): Promise<boolean> {
  return (await client.request({ action: 'ping', id: 'alive' })).type === 'pong'
}

describe('stream after logout', () => {
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp()
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  it('should close the logged-out session’s stream with 4502 and refuse its handshake, and keep the other session’s', async () => {
    const { tokens } = await sessionsOf(app.http, 2)
    const [signedOut, kept] = [await openStream(app, tokens[0]), await openStream(app, tokens[1])]
    await expectSignedOut(signedOut, await logout(app, tokens[0]))
    expect(await stillOpen(kept)).toBe(true)
    await expectRefused(app, tokens[0])
    const again = await openStream(app, tokens[1])
    again.close()
    kept.close()
  }, 20_000)

  it('should close every stream of the user after logout everywhere', async () => {
    const { tokens } = await sessionsOf(app.http, 2)
    const other = await sessionsOf(app.http, 1)
    const streams = [
      await openStream(app, tokens[0]),
      await openStream(app, tokens[1]),
      await openStream(app, tokens[1]),
    ]
    const otherStream = await openStream(app, other.tokens[0])
    const since = await logout(app, tokens[0], true)
    for (const stream of streams) await expectSignedOut(stream, since)
    expect(await stillOpen(otherStream)).toBe(true)
    await expectRefused(app, tokens[1])
    otherStream.close()
  }, 20_000)
})

describe('stream after logout on another replica', () => {
  const prefix = uniquePrefix('revoke-stream')
  let a: StreamApp
  let b: StreamApp
  beforeAll(async () => {
    await requireSharedRedis()
    const env = {
      DATABASE_URL: postgresUrl,
      REDIS_URL: sharedRedisUrl,
      REDIS_PREFIX: prefix,
      UPSTREAM_LEASE_MS: '1500',
    }
    a = await startStreamApp(env)
    b = await startStreamApp(env)
  }, 30_000)
  afterAll(async () => {
    await b?.stop()
    await a?.stop()
    const admin = connectRedis()
    const keys = await admin.keys(`${prefix}:*`)
    if (keys.length > 0) await admin.del(...keys)
    admin.disconnect()
  }, 30_000)

  it('should close on replica B, within a second, the stream of a token logged out on replica A, and refuse it there', async () => {
    const { userId, tokens } = await sessionsOf(a.http, 2)
    const [signedOut, kept] = [await openStream(b, tokens[0]), await openStream(b, tokens[1])]
    const admin = connectRedis()
    // B listens on the user's bus topic once the stream is admitted; wait until Redis has the subscription.
    await waitFor(
      async () => ((await admin.pubsub('NUMSUB', `${prefix}:user:${userId}`)) as [string, number])[1] === 1,
      3000,
      "replica B subscribed to the user's topic",
    ).finally(() => admin.disconnect())
    await expectSignedOut(signedOut, await logout(a, tokens[0]))
    expect(await stillOpen(kept)).toBe(true)
    await expectRefused(b, tokens[0])
    kept.close()
  }, 20_000)
})

describe('stream admission racing a logout on another replica', () => {
  const prefix = uniquePrefix('revoke-admission')
  let gate: RedisGateProxy
  let a: StreamApp
  let b: StreamApp
  beforeAll(async () => {
    await requireSharedRedis()
    gate = new RedisGateProxy(sharedRedisUrl)
    const env = { DATABASE_URL: postgresUrl, REDIS_PREFIX: prefix, UPSTREAM_LEASE_MS: '1500' }
    // Replica A reaches Redis through the gate, which can hold its SUBSCRIBE of a user's topic.
    a = await startStreamApp({ ...env, REDIS_URL: await gate.url })
    b = await startStreamApp({ ...env, REDIS_URL: sharedRedisUrl })
  }, 30_000)
  afterAll(async () => {
    await b?.stop()
    await a?.stop()
    await gate?.close()
    const admin = connectRedis()
    const keys = await admin.keys(`${prefix}:*`)
    if (keys.length > 0) await admin.del(...keys)
    admin.disconnect()
  }, 30_000)

  it('should close with 4502 a stream whose logout on B landed after A checked the token but before Redis confirmed A’s subscription', async () => {
    const { userId, tokens } = await sessionsOf(b.http, 1)
    const held = gate.holdSubscribe(`${prefix}:user:${userId}`)
    const client = StreamClient.connect(`${a.wsUrl}?token=${tokens[0]}`)
    // A verified the token (not revoked) and asked Redis for the user's topic; the SUBSCRIBE waits here.
    await held
    const since = await logout(b, tokens[0])
    const admin = connectRedis()
    // B's sign-out went out on the bus while A had no subscription: Redis had nobody to give it to.
    expect(((await admin.pubsub('NUMSUB', `${prefix}:user:${userId}`)) as [string, number])[1]).toBe(0)
    admin.disconnect()
    gate.release()
    await expectSignedOut(client, since)
    expect(client.messages.map((m) => m.type)).toEqual(['welcome', 'market_status', 'error'])
  }, 20_000)
})
