/** Stream limits over real sockets on a clock the test moves: per-user connection cap, inbound rate limit (4004), error budget (4505), heartbeat timeout (4001). */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { userStatusCoalesceMs } from '../../src/stream/connections'
import { closedWithin, StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'
import { RawWebSocket } from '../support/raw-ws'
import { waitFor } from '../support/wait'

describe('stream limits', () => {
  // Rates, budgets, status rounds and heartbeats run on the app's clock: the test moves it, so a
  // slow machine cannot refill a bucket or skip a heartbeat behind the test's back.
  const clock = new SimulatedClock(Date.now())
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp(
      { WS_MAX_CONNECTIONS_PER_USER: '2', WS_MESSAGES_PER_SECOND: '5', WS_HEARTBEAT_MS: '1000' },
      { clock },
    )
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
  /** Every frame the client sent before has been handled once the pong of a ping sent after it arrives. */
  const barrier = async (client: StreamClient, id: string) =>
    expect((await client.request({ action: 'ping', id })).data.id).toBe(id)

  it('should refuse a user beyond the connection cap with 4504 and admit again after a close', async () => {
    const token = await user()
    const first = await connect(token)
    const second = await connect(token)
    // The first connection hears that the user's quota changed (at the end of the coalescing round).
    clock.advance(userStatusCoalesceMs)
    expect((await first.nextOf('status')).data.connections).toEqual({ used: 2, max: 2 })
    const third = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    const closed = await closedWithin(third, 10_000)
    expect(closed.code).toBe(4504)
    expect(third.messages.map((m) => m.data.code)).toEqual(['CONNECTION_LIMIT'])
    // Another user is not affected.
    ;(await connect(await user())).close()
    second.close()
    await second.closed
    await waitFor(() => app.stream.status().connections === 1, 10_000, 'the server to release the closed connections')
    clock.advance(userStatusCoalesceMs)
    const after = await first.next((m) => m.type === 'status' && m.data.connections.used !== 2)
    expect(after.data.connections).toEqual({ used: 1, max: 2 })
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
    await client.receivedSince(0, (m) => m.type === 'pong' && m.data.id === 4)
    clock.advance(1000) // a second later the bucket is full again
    await barrier(client, 'later') // and every frame of the burst has been answered or refused
    expect(client.ofType('pong').map((m) => m.data.id)).toEqual([0, 1, 2, 3, 4, 'later'])
    expect(client.ofType('error')).toHaveLength(1)
    client.close()
  }, 20_000)

  it('should close a client that keeps flooding with 4004', async () => {
    const client = await connect(await user())
    // 5 accepted, 10 refused (two seconds' worth), then the next refusal closes: all at one instant.
    for (let i = 0; i < 40; i++) if (client.ws.readyState === 1) client.send({ action: 'ping' })
    const closed = await closedWithin(client, 10_000)
    expect(closed.code).toBe(4004)
    expect(closed.reason).toBe('RATE_LIMITED')
  }, 20_000)

  it('should close a client that keeps making protocol errors with 4505', async () => {
    const client = await connect(await user())
    // One bad frame every 220 ms of app time (under the 5/s rate), each answered before the next.
    const policyViolation = () => client.messages.at(-1)?.data?.code === 'POLICY_VIOLATION'
    for (let sent = 0; sent < 40 && !policyViolation(); sent++) {
      const errors = client.ofType('error').length
      client.send({ action: 'dance', n: sent })
      await client.until(() => client.ofType('error').length > errors, `the answer to bad frame ${sent}`)
      clock.advance(220)
    }
    const closed = await closedWithin(client, 10_000)
    expect(closed.code).toBe(4505)
    // 20 per minute, refilling one every 3 s while the loop runs.
    expect(client.ofType('error').filter((m) => m.data.code === 'UNKNOWN_ACTION').length).toBeWithin(20, 23)
    expect(client.ofType('error').filter((m) => m.data.code === 'RATE_LIMITED')).toHaveLength(0)
    expect(client.messages.at(-1)!.data.code).toBe('POLICY_VIOLATION')
  }, 20_000)

  it('should close a peer that does not answer pings with 4001 and release its subscriptions', async () => {
    const token = await user()
    expect((await app.http.post('/api/v1/watchlist', { ticker: 'JPM' })).status).toBe(201)
    const dead = await RawWebSocket.connect(Number(new URL(app.url).port), `/api/v1/market-data/stream?token=${token}`)
    dead.answerPings = false
    dead.send(JSON.stringify({ action: 'subscribe', symbols: ['JPM'] }))
    const live = await connect(token) // a healthy client (Bun answers pings) beside it
    await waitFor(() => dead.messages.some((m) => m.type === 'subscribed'), 10_000, 'the dead peer subscribed')
    expect(dead.messages.map((m) => m.type)).toContain('subscribed')
    expect(app.stream.status().symbols).toEqual({ JPM: 1 })
    let ended: Awaited<typeof dead.ended> | null = null
    void dead.ended.then((c) => (ended = c))
    // Heartbeats every 1000 ms of app time, moved a quarter at a time; after each step the live
    // client's pong (sent before its ping request) has been read once its request is answered.
    for (let step = 0; step < 16 && ended === null; step++) {
      clock.advance(250)
      await barrier(live, `step-${step}`)
    }
    await waitFor(() => ended !== null, 10_000, 'the dead peer closed')
    expect(ended!.code).toBe(4001)
    expect(dead.pingsReceived).toBeGreaterThanOrEqual(1)
    expect(dead.messages.at(-1).data.code).toBe('HEARTBEAT_TIMEOUT')
    expect(app.stream.status().symbols).toEqual({})
    expect(live.ws.readyState).toBe(WebSocket.OPEN)
    expect(live.ofType('heartbeat').length).toBeGreaterThanOrEqual(2)
    live.close()
  }, 20_000)
})
