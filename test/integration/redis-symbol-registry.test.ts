/** RedisSymbolRegistry against the SymbolRegistry contract (two replicas on a real Redis), plus prompt notices, expiry of a dead replica, refresh and periodic notices. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { RedisBus } from '../../src/adapters/redis/redis-bus'
import { RedisSymbolRegistry, type RedisSymbolRegistryOptions } from '../../src/adapters/redis/symbol-registry'
import { symbolRegistryContract } from '../contracts/symbol-registry.contract'
import { connectRedis, requireSharedRedis, sharedRedisUrl, uniquePrefix, waitFor } from '../support/redis-harness'
import { flushPromises } from '../support/wait'

type Replica = { registry: RedisSymbolRegistry; bus: RedisBus; redis: Redis }

const replicas: Replica[] = []
async function replica(prefix: string, options: Partial<RedisSymbolRegistryOptions> = {}): Promise<Replica> {
  const redis = connectRedis()
  const bus = new RedisBus({ url: sharedRedisUrl, prefix })
  const registry = new RedisSymbolRegistry({ redis, bus, prefix, ...options })
  await waitFor(() => bus.health().state === 'ok', 5000, 'bus connected')
  const r = { registry, bus, redis }
  replicas.push(r)
  return r
}

beforeAll(requireSharedRedis)
afterEach(async () => {
  for (const { registry, bus, redis } of replicas.splice(0)) {
    await registry.close()
    await bus.close()
    redis.disconnect()
  }
})

symbolRegistryContract('RedisSymbolRegistry', async () => {
  const prefix = uniquePrefix('registry')
  const [one, two] = [await replica(prefix), await replica(prefix)]
  return {
    a: one.registry,
    b: two.registry,
    listening: async () => void (await Promise.all([one.bus.settled(), two.bus.settled()])),
    close: async () => {}, // afterEach closes every replica
  }
})

/** Notices travel over the bus: prompt, where the periodic ones come every ttl (30 s by default). */
const promptlyMs = 5000

/** When Redis expires `key` (ms since the epoch, Redis's clock), or null when it has no expiry. */
async function expiresAt(redis: Redis, key: string): Promise<number | null> {
  const at = Number(await redis.call('PEXPIRETIME', key))
  return at > 0 ? at : null
}

describe('RedisSymbolRegistry', () => {
  it('should return the union of every replica’s wanted symbols', async () => {
    const prefix = uniquePrefix('registry')
    const one = await replica(prefix)
    const two = await replica(prefix)
    expect(await one.registry.wantedUnion()).toEqual([])
    one.registry.want('AAPL')
    one.registry.want('MSFT')
    two.registry.want('MSFT')
    two.registry.want('NVDA')
    await Promise.all([one.registry.flush(), two.registry.flush()])
    expect(await one.registry.wantedUnion()).toEqual(['AAPL', 'MSFT', 'NVDA'])

    one.registry.unwant('AAPL')
    one.registry.unwant('MSFT')
    await one.registry.flush()
    expect(await two.registry.wantedUnion()).toEqual(['MSFT', 'NVDA'])
  })

  it('should tell the other replicas promptly, after the change is readable', async () => {
    const prefix = uniquePrefix('registry')
    const holder = await replica(prefix)
    const other = await replica(prefix)
    const seen: string[][] = []
    holder.registry.onChange(() => void holder.registry.wantedUnion().then((union) => seen.push(union)))
    await holder.bus.settled()
    other.registry.want('TSLA')
    await waitFor(() => seen.some((union) => union.includes('TSLA')), promptlyMs, 'change notice with TSLA readable')
    holder.registry.want('AMD')
    await waitFor(() => seen.some((union) => union.includes('AMD')), promptlyMs, 'local change notice')
  })

  it('should drop a dead replica’s symbols once its entry expires', async () => {
    const prefix = uniquePrefix('registry')
    const survivor = await replica(prefix)
    const doomed = await replica(prefix, { ttlMs: 300 })
    doomed.registry.want('GME')
    await doomed.registry.flush()
    expect(await survivor.registry.wantedUnion()).toEqual(['GME'])
    doomed.redis.disconnect() // it stops refreshing, as a crashed replica would
    // Kept, with an expiry of its own: nothing removes it but Redis's clock.
    expect(await survivor.registry.wantedUnion()).toEqual(['GME'])
    expect(await expiresAt(survivor.redis, `${prefix}:wanted:${doomed.bus.nodeId}`)).not.toBeNull()
    await waitFor(async () => (await survivor.registry.wantedUnion()).length === 0, 5000, 'GME to expire')
  })

  it('should keep a live replica’s entry past its ttl by refreshing it', async () => {
    const prefix = uniquePrefix('registry')
    const ttlMs = 1000 // rewritten every ~333 ms: a loaded machine has ~667 ms of slack
    const one = await replica(prefix, { ttlMs })
    one.registry.want('AAPL')
    await one.registry.flush()
    const key = `${prefix}:wanted:${one.bus.nodeId}`
    const firstExpiry = (await expiresAt(one.redis, key))!
    // Rewrites move the set's expiry; once it has moved a whole ttl, the set has outlived its first life.
    await waitFor(async () => ((await expiresAt(one.redis, key)) ?? 0) >= firstExpiry + ttlMs, 10_000, 'rewrites past the first ttl')
    expect(await one.registry.wantedUnion()).toEqual(['AAPL'])
  })

  it('should withdraw a closed replica’s symbols at once and notify', async () => {
    const prefix = uniquePrefix('registry')
    const holder = await replica(prefix)
    const leaving = await replica(prefix)
    leaving.registry.want('IBM')
    await leaving.registry.flush()
    let notices = 0
    holder.registry.onChange(() => notices++)
    await holder.bus.settled()
    await leaving.registry.close()
    expect(await holder.registry.wantedUnion()).toEqual([])
    await waitFor(() => notices > 0, promptlyMs, 'notice of the withdrawal')
  })

  it('should also notify periodically while someone listens, and stop when nobody does', async () => {
    const prefix = uniquePrefix('registry')
    const clock = new SimulatedClock(Date.now())
    const one = await replica(prefix, { pollIntervalMs: 50, clock })
    let notices = 0
    const stop = one.registry.onChange(() => notices++)
    /** Moves the registry's clock one poll interval at a time, letting each notice (a microtask) run. */
    const pollIntervals = async (n: number) => {
      for (let i = 0; i < n; i++) {
        clock.advance(50)
        await flushPromises()
      }
    }
    await pollIntervals(3)
    expect(notices).toBeGreaterThanOrEqual(3)
    stop()
    const after = notices
    await pollIntervals(3)
    expect(notices).toBe(after)
  })
})
