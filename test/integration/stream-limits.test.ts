/** Stream limits over real sockets: per-user connection cap, inbound rate limit (4004), error budget (4505), heartbeat timeout (4001). */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { closedWithin, StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'
import { RawWebSocket } from '../support/raw-ws'

describe('stream limits', () => {
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp({ WS_MAX_CONNECTIONS_PER_USER: '2', WS_MESSAGES_PER_SECOND: '5', WS_HEARTBEAT_MS: '1000' })
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  async function user() {
    const { token } = await app.http.signUp()
    return token
  }
  async function connect(token: string) {
    const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    await client.nextOf('welcome')
    await client.nextOf('status')
    return client
  }

  it('should refuse a user beyond the connection cap with 4504 and admit again after a close', async () => {
    const token = await user()
    const first = await connect(token)
    const second = await connect(token)
    // The first connection hears that the user's quota changed.
    expect((await first.nextOf('status')).data.connections).toEqual({ used: 2, max: 2 })
    const third = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    const closed = await closedWithin(third, 2000)
    expect(closed.code).toBe(4504)
    expect(third.messages.map((m) => m.data.code)).toEqual(['CONNECTION_LIMIT'])
    // Another user is not affected.
    ;(await connect(await user())).close()
    second.close()
    await second.closed
    expect((await first.nextOf('status')).data.connections).toEqual({ used: 1, max: 2 })
    const fourth = await connect(token)
    fourth.close()
    first.close()
  }, 20_000)

  it('should answer a burst over the rate with one RATE_LIMITED error and keep the connection', async () => {
    const client = await connect(await user())
    for (let i = 0; i < 8; i++) client.send({ action: 'ping', id: i })
    const limited = await client.nextOf('error')
    expect(limited.data.code).toBe('RATE_LIMITED')
    expect(limited.data.details.retry_after_ms).toBeGreaterThan(0)
    await Bun.sleep(300)
    expect(client.ofType('pong').map((m) => m.data.id)).toEqual([0, 1, 2, 3, 4])
    expect(client.ofType('error')).toHaveLength(1)
    await Bun.sleep(1000)
    expect((await client.request({ action: 'ping', id: 'later' })).data.id).toBe('later')
    client.close()
  }, 20_000)

  it('should close a client that keeps flooding with 4004', async () => {
    const client = await connect(await user())
    const flood = setInterval(() => client.ws.readyState === 1 && client.send({ action: 'ping' }), 5)
    try {
      const closed = await closedWithin(client, 5000)
      expect(closed.code).toBe(4004)
      expect(closed.reason).toBe('RATE_LIMITED')
    } finally {
      clearInterval(flood)
    }
  }, 20_000)

  it('should close a client that keeps making protocol errors with 4505', async () => {
    const client = await connect(await user())
    let sent = 0
    const loop = setInterval(() => {
      if (client.ws.readyState === 1 && sent < 40) client.send({ action: 'dance', n: sent++ })
    }, 220)
    try {
      const closed = await closedWithin(client, 8000)
      expect(closed.code).toBe(4505)
      // 20 per minute, refilling one every 3 s while the loop runs.
      expect(client.ofType('error').filter((m) => m.data.code === 'UNKNOWN_ACTION').length).toBeWithin(20, 23)
      expect(client.ofType('error').filter((m) => m.data.code === 'RATE_LIMITED')).toHaveLength(0)
      expect(client.messages.at(-1)!.data.code).toBe('POLICY_VIOLATION')
    } finally {
      clearInterval(loop)
    }
  }, 20_000)

  it('should close a peer that does not answer pings with 4001 and release its subscriptions', async () => {
    const token = await user()
    expect((await app.http.post('/api/v1/watchlist', { ticker: 'JPM' })).status).toBe(201)
    const dead = await RawWebSocket.connect(Number(new URL(app.url).port), `/api/v1/market-data/stream?token=${token}`)
    dead.answerPings = false
    dead.send(JSON.stringify({ action: 'subscribe', symbols: ['JPM'] }))
    const live = await connect(token) // a healthy client (Bun answers pings) beside it
    await Bun.sleep(300)
    expect(dead.messages.map((m) => m.type)).toContain('subscribed')
    expect(app.stream.status().symbols).toEqual({ JPM: 1 })
    const closed = await Promise.race([dead.ended, Bun.sleep(4000).then(() => null)])
    expect(closed?.code).toBe(4001)
    expect(dead.pingsReceived).toBeGreaterThanOrEqual(1)
    expect(dead.messages.at(-1).data.code).toBe('HEARTBEAT_TIMEOUT')
    expect(app.stream.status().symbols).toEqual({})
    expect(live.ws.readyState).toBe(WebSocket.OPEN)
    expect(live.ofType('heartbeat').length).toBeGreaterThanOrEqual(2)
    live.close()
  }, 20_000)
})
