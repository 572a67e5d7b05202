/** Connection counters: a per-user cap across replicas on a real Redis, expiry of dead entries, outage fallback; the in-memory one. */
import { afterEach, beforeAll, describe, expect, it } from 'bun:test'
import Redis from 'ioredis'
import { MemoryConnectionCounter } from '../../src/adapters/memory/memory-connection-counter'
import {
  RedisConnectionCounter,
  type RedisConnectionCounterOptions,
} from '../../src/adapters/redis/connection-counter'
import { connectRedis, freePort, requireSharedRedis, uniquePrefix } from '../support/redis-harness'

type Replica = { counter: RedisConnectionCounter; redis: Redis }

const replicas: Replica[] = []
function replica(prefix: string, options: Partial<RedisConnectionCounterOptions> = {}, redis = connectRedis()): Replica {
  const r = { counter: new RedisConnectionCounter({ redis, prefix, ...options }), redis }
  replicas.push(r)
  return r
}

beforeAll(requireSharedRedis)
afterEach(async () => {
  for (const { counter, redis } of replicas.splice(0)) {
    await counter.close()
    redis.disconnect()
  }
})

describe('RedisConnectionCounter', () => {
  it('should enforce the cap across replicas and free a slot on release', async () => {
    const prefix = uniquePrefix('conns')
    const { counter: one } = replica(prefix)
    const { counter: two } = replica(prefix)
    expect(await one.tryAcquire('u1', 'c1', 2)).toBe(true)
    expect(await two.tryAcquire('u1', 'c2', 2)).toBe(true)
    expect(await one.tryAcquire('u1', 'c3', 2)).toBe(false)
    expect(await two.tryAcquire('u2', 'c4', 2)).toBe(true) // other users are counted apart
    expect(await one.tryAcquire('u1', 'c1', 2)).toBe(true) // re-acquiring a held connection is fine
    await one.release('u1', 'c1')
    expect(await two.tryAcquire('u1', 'c3', 2)).toBe(true)
    expect(one.localCount('u1')).toBe(0)
    expect(two.localCount('u1')).toBe(2)
  })

  it('should admit exactly `limit` of many racing connections', async () => {
    const prefix = uniquePrefix('conns')
    const { counter: one } = replica(prefix)
    const { counter: two } = replica(prefix)
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : two).tryAcquire('u1', `c${i}`, 3)),
    )
    expect(results.filter(Boolean).length).toBe(3)
  })

  it('should stop counting a dead replica’s connections once they expire', async () => {
    const prefix = uniquePrefix('conns')
    const { counter: survivor } = replica(prefix)
    const doomed = replica(prefix, { ttlMs: 300 })
    expect(await doomed.counter.tryAcquire('u1', 'dead-1', 1)).toBe(true)
    doomed.redis.disconnect() // no more refreshes, as after a crash
    expect(await survivor.tryAcquire('u1', 'c1', 1)).toBe(false)
    await Bun.sleep(350)
    expect(await survivor.tryAcquire('u1', 'c1', 1)).toBe(true)
  })

  it('should keep a live replica’s connections counted past the ttl by refreshing them', async () => {
    const prefix = uniquePrefix('conns')
    const { counter: one } = replica(prefix, { ttlMs: 300 })
    const { counter: two } = replica(prefix)
    expect(await one.tryAcquire('u1', 'c1', 1)).toBe(true)
    await Bun.sleep(900)
    expect(await two.tryAcquire('u1', 'c2', 1)).toBe(false)
  })

  it('should fall back to the local count, quickly and without throwing, when Redis is unreachable', async () => {
    const prefix = uniquePrefix('conns')
    const unreachable = new Redis(`redis://127.0.0.1:${freePort()}`, { retryStrategy: () => 100 })
    unreachable.on('error', () => {})
    const { counter } = replica(prefix, { commandTimeoutMs: 200 }, unreachable)
    const started = Date.now()
    expect(await counter.tryAcquire('u1', 'c1', 2)).toBe(true)
    expect(await counter.tryAcquire('u1', 'c2', 2)).toBe(true)
    expect(await counter.tryAcquire('u1', 'c3', 2)).toBe(false)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(counter.degraded).toBe(true)
    await counter.release('u1', 'c1')
    expect(await counter.tryAcquire('u1', 'c3', 2)).toBe(true)
    await counter.refresh()
  })

  it('should count connections admitted during an outage once Redis is back', async () => {
    const prefix = uniquePrefix('conns')
    const flaky = connectRedis()
    const { counter } = replica(prefix, { commandTimeoutMs: 200 }, flaky)
    const { counter: other } = replica(prefix)
    await flaky.ping()
    flaky.disconnect()
    expect(await counter.tryAcquire('u1', 'c1', 1)).toBe(true) // admitted locally
    await flaky.connect()
    await counter.refresh()
    expect(counter.degraded).toBe(false)
    expect(await other.tryAcquire('u1', 'c2', 1)).toBe(false)
  })
})

describe('MemoryConnectionCounter', () => {
  it('should enforce the cap per user and free a slot on release', async () => {
    const counter = new MemoryConnectionCounter()
    expect(await counter.tryAcquire('u1', 'c1', 2)).toBe(true)
    expect(await counter.tryAcquire('u1', 'c2', 2)).toBe(true)
    expect(await counter.tryAcquire('u1', 'c3', 2)).toBe(false)
    expect(await counter.tryAcquire('u1', 'c2', 2)).toBe(true)
    expect(await counter.tryAcquire('u2', 'c4', 2)).toBe(true)
    await counter.release('u1', 'c1')
    expect(counter.localCount('u1')).toBe(1)
    expect(await counter.tryAcquire('u1', 'c3', 2)).toBe(true)
  })
})
