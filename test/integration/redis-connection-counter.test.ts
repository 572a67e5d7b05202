/** RedisConnectionCounter against the ConnectionCounter contract (two replicas on a real Redis), plus expiry of dead entries, refresh and outage fallback. */
import { afterEach, beforeAll, describe, expect, it } from 'bun:test'
import Redis from 'ioredis'
import {
  RedisConnectionCounter,
  type RedisConnectionCounterOptions,
} from '../../src/adapters/redis/connection-counter'
import { connectionCounterContract } from '../contracts/connection-counter.contract'
import { connectRedis, freePort, requireSharedRedis, uniquePrefix, waitFor } from '../support/redis-harness'

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

connectionCounterContract('RedisConnectionCounter', async () => {
  const prefix = uniquePrefix('conns')
  const [one, two] = [replica(prefix), replica(prefix)]
  return {
    a: one.counter,
    b: two.counter,
    async close() {
      expect([one.counter.degraded, two.counter.degraded]).toEqual([false, false]) // every answer came from Redis
    },
  }
})

/** The expiry Redis holds for `connId` under `userId` (ms since the epoch, Redis's clock), or null. */
async function expiryOf(admin: Redis, prefix: string, userId: string, connId: string): Promise<number | null> {
  const score = await admin.zscore(`${prefix}:conns:${userId}`, connId)
  return score === null ? null : Number(score)
}

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
    // Redis's own clock decides the expiry: ask until the slot is free (refused attempts change nothing).
    await waitFor(() => survivor.tryAcquire('u1', 'c1', 1), 5000, "the dead replica's entry to expire")
    expect(await survivor.tryAcquire('u1', 'c1', 1)).toBe(true)
  })

  it('should keep a live replica’s connections counted past the ttl by refreshing them', async () => {
    const prefix = uniquePrefix('conns')
    const ttlMs = 1000 // refreshed every ~333 ms: a loaded machine has ~667 ms of slack
    const { counter: one, redis } = replica(prefix, { ttlMs })
    const { counter: two } = replica(prefix)
    expect(await one.tryAcquire('u1', 'c1', 1)).toBe(true)
    const firstExpiry = (await expiryOf(redis, prefix, 'u1', 'c1'))!
    // Refreshes move the entry's expiry; once it has moved a whole ttl, the entry has outlived its first life.
    await waitFor(
      async () => ((await expiryOf(redis, prefix, 'u1', 'c1')) ?? 0) >= firstExpiry + ttlMs,
      10_000,
      'refreshes past the first ttl',
    )
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
    // Three calls, each cut at commandTimeoutMs (200 ms), where the client alone would queue forever; margin for a loaded machine.
    expect(Date.now() - started).toBeLessThan(3 * 200 * 3 + 1000)
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
