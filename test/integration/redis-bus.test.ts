/** RedisBus against the Bus contract on a real Redis, plus transport subscriptions and outages on a private redis-server. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { RedisBus, type RedisBusOptions } from '../../src/adapters/redis/redis-bus'
import type { BusHealth } from '../../src/ports/bus'
import { busContract } from '../contracts/bus.contract'
import { RedisGateProxy } from '../support/redis-gate'
import {
  connectRedis,
  PrivateRedisServer,
  requireSharedRedis,
  sharedRedisUrl,
  uniquePrefix,
  waitFor,
} from '../support/redis-harness'

/** Fast reconnects and stall detection, so outage tests take seconds. */
const fastOptions = { pingIntervalMs: 100, socketTimeoutMs: 400, redisOptions: { retryStrategy: () => 50 } }

const open: RedisBus[] = []
function createBus(options: Partial<RedisBusOptions> & { prefix: string }): RedisBus {
  const bus = new RedisBus({ url: sharedRedisUrl, ...fastOptions, ...options })
  open.push(bus)
  return bus
}
async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((bus) => bus.close()))
}
const isOk = (bus: RedisBus) => () => bus.health().state === 'ok'

let admin: Redis
beforeAll(async () => {
  await requireSharedRedis()
  admin = connectRedis()
})
afterAll(() => admin?.disconnect())

busContract('RedisBus', async () => {
  const prefix = uniquePrefix('bus')
  const a = new RedisBus({ url: sharedRedisUrl, prefix })
  const b = new RedisBus({ url: sharedRedisUrl, prefix })
  await waitFor(() => isOk(a)() && isOk(b)(), 5000, 'both buses connected')
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) }
})

async function numsub(client: Redis, channel: string): Promise<number> {
  const reply = (await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number]
  return Number(reply[1])
}

async function channels(client: Redis, prefix: string): Promise<string[]> {
  return ((await client.call('PUBSUB', 'CHANNELS', `${prefix}:*`)) as string[]).sort()
}

describe('RedisBus on Redis', () => {
  afterEach(closeAll)

  it('should send compact `nodeId|payload` envelopes on `<prefix>:<topic>` channels', async () => {
    const prefix = uniquePrefix('bus')
    const bus = createBus({ prefix })
    const listener = connectRedis()
    const got: [string, string][] = []
    listener.on('message', (channel: string, message: string) => got.push([channel, message]))
    await listener.subscribe(`${prefix}:sym:AAPL`)
    await waitFor(isOk(bus), 5000, 'bus connected')
    bus.publish('sym:AAPL', '{"p":1}')
    await waitFor(() => got.length === 1, 2000, 'raw message')
    listener.disconnect()
    expect(got).toEqual([[`${prefix}:sym:AAPL`, `${bus.nodeId}|{"p":1}`]])
    expect(got[0][1].length - '{"p":1}'.length).toBe(9)
  })

  it('should subscribe at Redis only while a topic has local handlers', async () => {
    const prefix = uniquePrefix('bus')
    const bus = createBus({ prefix })
    const channel = `${prefix}:sym:AAPL`
    expect(await numsub(admin, channel)).toBe(0)
    const first = bus.subscribe('sym:AAPL', () => {})
    const second = bus.subscribe('sym:AAPL', () => {})
    const other = bus.subscribe('sym:MSFT', () => {})
    await bus.settled()
    expect(await numsub(admin, channel)).toBe(1)
    expect(await channels(admin, prefix)).toEqual([channel, `${prefix}:sym:MSFT`])
    first()
    await bus.settled()
    expect(await numsub(admin, channel)).toBe(1)
    second()
    other()
    await bus.settled()
    expect(await numsub(admin, channel)).toBe(0)
    expect(await channels(admin, prefix)).toEqual([])
  })

  it('should re-subscribe every topic in batches after its subscriber connection is killed', async () => {
    const prefix = uniquePrefix('bus')
    const a = createBus({ prefix })
    const b = createBus({ prefix, subscribeBatchSize: 1000 })
    const states: BusHealth['state'][] = []
    b.onHealthChange((health) => states.push(health.state))
    const got: string[] = []
    for (let i = 0; i < 2500; i++) b.subscribe(`sym:S${i}`, (payload) => got.push(`S${i} ${payload}`))
    await b.settled()
    await waitFor(isOk(a), 5000, 'publisher connected')
    expect((await channels(admin, prefix)).length).toBe(2500)

    const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string
    const line = clients.split('\n').find((l) => l.includes(` name=${prefix}:bus-sub:${b.nodeId} `))
    const id = line?.match(/^id=(\d+)/)?.[1]
    expect(id).toBeDefined()
    await admin.call('CLIENT', 'KILL', 'ID', id!)

    await waitFor(() => states.includes('degraded') && isOk(b)(), 5000, 'degraded then ok again')
    expect((await channels(admin, prefix)).length).toBe(2500)
    a.publish('sym:S2499', 'after')
    await waitFor(() => got.length === 1, 2000, 'delivery after re-subscription')
    expect(got).toEqual(['S2499 after'])
  })

  it("should confirm a subscription only on Redis's SUBSCRIBE reply, however long it takes", async () => {
    const prefix = uniquePrefix('bus')
    const gate = new RedisGateProxy(sharedRedisUrl)
    try {
      const a = createBus({ prefix })
      const b = createBus({ prefix, url: await gate.url })
      await waitFor(() => isOk(a)() && isOk(b)(), 5000, 'both buses connected')
      const got: string[] = []
      const held = gate.holdSubscribe(`${prefix}:user:7`)
      b.subscribe('user:7', (payload) => got.push(payload))
      let confirmed = false
      const confirmation = b.subscribed('user:7').then(() => (confirmed = true))
      await held
      // The SUBSCRIBE is on its way: Redis has no subscriber yet, so nothing may be confirmed.
      expect(await numsub(admin, `${prefix}:user:7`)).toBe(0)
      expect(confirmed).toBe(false)
      gate.release()
      await confirmation
      expect(await numsub(admin, `${prefix}:user:7`)).toBe(1)
      a.publish('user:7', 'heard')
      await waitFor(() => got.length === 1, 2000, 'delivery after confirmation')
      expect(got).toEqual(['heard'])
    } finally {
      await closeAll()
      await gate.close()
    }
  })
})

describe('RedisBus through a Redis outage', () => {
  const server = new PrivateRedisServer()
  afterEach(closeAll)
  afterAll(() => server.stop())

  it('should start degraded with no server, never throw, and connect and subscribe once it appears', async () => {
    const prefix = uniquePrefix('bus')
    const a = createBus({ prefix, url: server.url })
    const b = createBus({ prefix, url: server.url })
    const got: string[] = []
    expect(() => b.subscribe('t', (payload) => got.push(payload))).not.toThrow()
    expect(() => a.publish('t', 'lost')).not.toThrow()
    await waitFor(() => (a.health().reason ?? '').includes('ECONNREFUSED'), 5000, 'a reports the refused connection')
    expect(a.health().state).toBe('degraded')
    expect(a.health().reason).toContain('ECONNREFUSED')

    await server.start()
    await waitFor(() => isOk(a)() && isOk(b)(), 5000, 'both buses ok')
    await b.settled()
    a.publish('t', 'hello')
    await waitFor(() => got.includes('hello'), 2000, 'delivery after the server appeared')
  })

  it('should survive a server crash: degraded, bounded drops, then ok with every topic re-subscribed', async () => {
    if (!(await serverUp(server))) await server.start()
    const prefix = uniquePrefix('bus')
    const a = createBus({ prefix, url: server.url, maxQueuedPublishes: 100 })
    const b = createBus({ prefix, url: server.url })
    const transitions: string[] = []
    b.onHealthChange((health) => transitions.push(health.state))
    const got: string[] = []
    b.subscribe('t1', (payload) => got.push(`t1 ${payload}`))
    await b.settled()
    await waitFor(() => isOk(a)() && isOk(b)(), 5000, 'both buses ok')
    transitions.length = 0

    await server.kill()
    await waitFor(() => a.health().state === 'degraded' && b.health().state === 'degraded', 2000, 'degraded')
    for (let i = 0; i < 50_000; i++) a.publish('t1', `during ${i}`)
    expect(a.stats().dropped).toBeGreaterThanOrEqual(50_000 - 100)
    b.subscribe('t2', (payload) => got.push(`t2 ${payload}`))

    await server.start()
    await waitFor(() => isOk(a)() && isOk(b)(), 5000, 'ok again')
    await b.settled()
    const probe = connectRedis(server.url)
    expect(await channels(probe, prefix)).toEqual([`${prefix}:t1`, `${prefix}:t2`])
    probe.disconnect()
    got.length = 0
    a.publish('t1', 'after')
    a.publish('t2', 'after')
    await waitFor(() => got.length === 2, 2000, 'delivery on old and new topics')
    expect(got).toEqual(['t1 after', 't2 after'])
    expect(transitions).toEqual(['degraded', 'ok'])
  })

  it('should notice a hung server, stay usable, and recover when it resumes', async () => {
    if (!(await serverUp(server))) await server.start()
    const prefix = uniquePrefix('bus')
    const a = createBus({ prefix, url: server.url })
    const b = createBus({ prefix, url: server.url })
    const got: string[] = []
    b.subscribe('t', (payload) => got.push(payload))
    await b.settled()
    await waitFor(isOk(a), 5000, 'publisher connected')

    server.pause()
    try {
      await waitFor(() => a.health().state === 'degraded' && b.health().state === 'degraded', 3000, 'degraded')
      expect(() => a.publish('t', 'while hung')).not.toThrow()
    } finally {
      server.resume()
    }
    await waitFor(() => isOk(a)() && isOk(b)(), 10_000, 'ok after resume')
    await b.settled()
    a.publish('t', 'after')
    await waitFor(() => got.includes('after'), 2000, 'delivery after resume')
  })
})

async function serverUp(server: PrivateRedisServer): Promise<boolean> {
  const probe = connectRedis(server.url)
  try {
    return (await probe.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    probe.disconnect()
  }
}
