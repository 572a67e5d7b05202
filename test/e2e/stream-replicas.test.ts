/** Two replicas on one PostgreSQL and one Redis: one holds the upstream, the other streams its messages over RedisBus; user events, caps and failover cross replicas. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { RedisBus } from '../../src/adapters/bus/redis-bus'
import { RedisConnectionCounter } from '../../src/adapters/redis/connection-counter'
import { RedisSymbolRegistry } from '../../src/adapters/redis/symbol-registry'
import { postgresUrl } from '../support/harness'
import { connectRedis, requireSharedRedis, sharedRedisUrl, uniquePrefix } from '../support/redis-harness'
import { createScaledClock } from '../support/scaled-clock'
import { closedWithin, StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

describe('stream across two replicas', () => {
  let a: StreamApp
  let b: StreamApp
  let redis: Redis
  let token: string
  beforeAll(async () => {
    await requireSharedRedis()
    redis = connectRedis()
    const prefix = uniquePrefix('stream')
    const replica = () => {
      const bus = new RedisBus({ url: sharedRedisUrl, prefix })
      return {
        bus,
        registry: new RedisSymbolRegistry({ redis, bus, prefix, ttlMs: 3000 }),
        counter: new RedisConnectionCounter({ redis, prefix }),
      }
    }
    const env = { DATABASE_URL: postgresUrl, WS_MAX_CONNECTIONS_PER_USER: '2', WS_HEARTBEAT_MS: '1000' }
    // Both replicas share one clock set to market hours (the simulated market has no trades at night).
    const clock = createScaledClock(1, Date.UTC(2025, 2, 12, 15, 0, 0))
    a = await startStreamApp(env, { replica: replica(), clock })
    b = await startStreamApp(env, { replica: replica(), clock, tuning: { holdUpstreamOnStart: false } })
    ;({ token } = await a.http.signUp())
    for (const ticker of ['AAPL', 'MSFT']) expect((await a.http.post('/api/v1/watchlist', { ticker })).status).toBe(201)
  }, 30_000)
  afterAll(async () => {
    await b?.stop()
    await a?.stop()
    redis?.disconnect()
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
    await client.next((m) => m.type === 'status' && m.data.upstream === 'ok', 5000)
    expect((await client.request({ action: 'subscribe', symbols: ['AAPL'] })).type).toBe('subscribed')
    const trades = [
      await client.next((m) => m.type === 'trade', 5000),
      await client.next((m) => m.type === 'trade', 3000),
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
    const ended = await client.next((m) => m.type === 'subscribed' && m.data.reason === 'NOT_IN_WATCHLIST', 3000)
    expect(ended.data).toMatchObject({ symbols: ['AAPL'], removed: ['MSFT'] })
    await closeAll(client)
  })

  it('should cap a user across replicas', async () => {
    const first = await connect(a)
    const second = await connect(b)
    const third = StreamClient.connect(`${a.wsUrl}?token=${token}`)
    expect((await closedWithin(third, 3000)).code).toBe(4504)
    await closeAll(first, second)
  })

  it('should keep streaming in a new epoch when the upstream moves to the other replica', async () => {
    const client = await connect(b)
    await client.request({ action: 'subscribe', symbols: ['AAPL'] })
    const before = await client.next((m) => m.type === 'trade', 5000)
    a.stream.setUpstreamHolding(false)
    b.stream.setUpstreamHolding(true)
    const after = await client.next((m) => m.symbol === 'AAPL' && m.epoch !== before.epoch, 5000)
    expect(after.epoch!.startsWith(b.stream.status().nodeId)).toBe(true)
    expect(b.stream.status().actors).toEqual(['AAPL'])
    expect(a.stream.status().actors).toEqual([])
    await closeAll(client)
  }, 15_000)
})

/** Closes clients and waits until the replicas have released their connection slots. */
async function closeAll(...clients: StreamClient[]) {
  for (const c of clients) c.close()
  await Promise.all(clients.map((c) => c.closed))
  await Bun.sleep(50)
}
