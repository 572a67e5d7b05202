/** Two replicas built by createApp on one PostgreSQL and one Redis: the lease picks the holder, the other streams its messages over RedisBus; user events, caps and a graceful handover cross replicas. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { postgresUrl, redisUrl } from '../support/harness'
import { connectRedis, uniquePrefix, waitFor } from '../support/redis-harness'
import { createScaledClock } from '../support/scaled-clock'
import { closedWithin, StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

/** Long enough that a handover by release (the next poll, every leaseMs / 3) finishes well before the lease could run out. */
const leaseMs = 3000
const prefix = uniquePrefix('stream')
let admin: Redis

/** Closes clients and waits until the replicas have released their connection slots (locally and in Redis). */
async function closeAll(...clients: StreamClient[]) {
  for (const c of clients) c.close()
  await Promise.all(clients.map((c) => c.closed))
  await waitFor(async () => (await admin.keys(`${prefix}:conns:*`)).length === 0, 10_000, 'connection slots released')
}

describe('stream across two replicas', () => {
  let a: StreamApp
  let b: StreamApp
  let token: string
  beforeAll(async () => {
    admin = connectRedis(redisUrl)
    await admin.ping()
    const env = {
      DATABASE_URL: postgresUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      UPSTREAM_LEASE_MS: String(leaseMs),
      WS_MAX_CONNECTIONS_PER_USER: '2',
      WS_HEARTBEAT_MS: '1000',
    }
    // Both replicas share one clock set to market hours (the simulated market has few trades at night).
    const clock = createScaledClock(1, Date.UTC(2025, 2, 12, 15, 0, 0))
    a = await startStreamApp(env, { clock })
    // a takes the lease first; b starts while it is held and waits.
    await waitFor(() => a.stream.status().holdingUpstream, 5000, 'replica a to take the upstream lease')
    b = await startStreamApp(env, { clock })
    ;({ token } = await a.http.signUp())
    for (const ticker of ['AAPL', 'MSFT']) expect((await a.http.post('/api/v1/watchlist', { ticker })).status).toBe(201)
  }, 30_000)
  afterAll(async () => {
    await b?.stop()
    await a?.stop()
    admin?.disconnect()
  }, 30_000)

  async function connect(app: StreamApp) {
    const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    await client.nextOf('welcome')
    return client
  }

  it("should stream the holder's messages to a client of the other replica, with the holder's upstream status", async () => {
    expect(a.stream.status().holdingUpstream).toBe(true)
    expect(b.stream.status().holdingUpstream).toBe(false)
    const client = await connect(b)
    await client.next((m) => m.type === 'status' && m.data.upstream === 'ok', 10_000)
    expect((await client.request({ action: 'subscribe', symbols: ['AAPL'] })).type).toBe('subscribed')
    const trades = [
      await client.next((m) => m.type === 'trade', 10_000),
      await client.next((m) => m.type === 'trade', 10_000),
    ]
    expect(trades[1].seq!).toBeGreaterThan(trades[0].seq!)
    expect(trades[0].epoch!.startsWith(a.stream.status().nodeId)).toBe(true)
    expect(a.stream.status().actors).toEqual(['AAPL'])
    expect(b.stream.status().actors).toEqual([])
    expect(b.stream.liveSnapshot('AAPL')?.last).toBeGreaterThan(0)
    await closeAll(client)
  }, 15_000)

  it('should deliver a watchlist removal made on one replica to a client on the other', async () => {
    const client = await connect(b)
    await client.request({ action: 'subscribe', symbols: ['AAPL', 'MSFT'] })
    expect((await a.http.delete('/api/v1/watchlist/MSFT')).status).toBe(200)
    const ended = await client.next((m) => m.type === 'subscribed' && m.data.reason === 'NOT_IN_WATCHLIST', 10_000)
    expect(ended.data).toMatchObject({ symbols: ['AAPL'], removed: ['MSFT'] })
    await closeAll(client)
  })

  it('should cap a user across replicas', async () => {
    const first = await connect(a)
    const second = await connect(b)
    const third = StreamClient.connect(`${a.wsUrl}?token=${token}`)
    expect((await closedWithin(third, 10_000)).code).toBe(4504)
    await closeAll(first, second)
  })

  it('should hand the upstream to the other replica when the holder stops, and keep streaming in a new epoch', async () => {
    const client = await connect(b)
    await client.request({ action: 'subscribe', symbols: ['AAPL'] })
    const before = await client.next((m) => m.type === 'trade', 10_000)
    expect(before.epoch!.startsWith(a.stream.status().nodeId)).toBe(true)
    const leaseExpiry = Number(await admin.call('PEXPIRETIME', `${prefix}:lease:upstream`))
    const stoppedAt = Date.now()
    await a.stop() // releases the lease: b takes it at its next attempt (every leaseMs / 3)
    const after = await client.next((m) => m.symbol === 'AAPL' && m.epoch !== before.epoch, 10_000)
    expect(Date.now() - stoppedAt).toBeLessThan(leaseMs)
    expect(Date.now()).toBeLessThan(leaseExpiry) // the release let b in, not the lease running out
    expect(after.epoch!.startsWith(b.stream.status().nodeId)).toBe(true)
    expect(b.stream.status().holdingUpstream).toBe(true)
    expect(b.stream.status().actors).toEqual(['AAPL'])
    await client.next((m) => m.type === 'trade' && m.epoch === after.epoch, 10_000)
    await closeAll(client)
  }, 15_000)
})
