/** Symbol registries: the union across replicas on a real Redis, change notices, expiry of a dead replica; the in-memory one. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { MemorySymbolRegistry } from '../../src/adapters/memory/memory-symbol-registry'
import { RedisBus } from '../../src/adapters/redis/redis-bus'
import { RedisSymbolRegistry, type RedisSymbolRegistryOptions } from '../../src/adapters/redis/symbol-registry'
import { connectRedis, requireSharedRedis, sharedRedisUrl, uniquePrefix, waitFor } from '../support/redis-harness'

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
    await waitFor(() => seen.some((union) => union.includes('TSLA')), 500, 'change notice with TSLA readable')
    holder.registry.want('AMD')
    await waitFor(() => seen.some((union) => union.includes('AMD')), 500, 'local change notice')
  })

  it('should drop a dead replica’s symbols once its entry expires', async () => {
    const prefix = uniquePrefix('registry')
    const survivor = await replica(prefix)
    const doomed = await replica(prefix, { ttlMs: 300 })
    doomed.registry.want('GME')
    await doomed.registry.flush()
    expect(await survivor.registry.wantedUnion()).toEqual(['GME'])
    doomed.redis.disconnect() // it stops refreshing, as a crashed replica would
    await Bun.sleep(100)
    expect(await survivor.registry.wantedUnion()).toEqual(['GME'])
    await waitFor(async () => (await survivor.registry.wantedUnion()).length === 0, 1000, 'GME to expire')
  })

  it('should keep a live replica’s entry past its ttl by refreshing it', async () => {
    const prefix = uniquePrefix('registry')
    const one = await replica(prefix, { ttlMs: 300 })
    one.registry.want('AAPL')
    await one.registry.flush()
    await Bun.sleep(1000)
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
    await waitFor(() => notices > 0, 500, 'notice of the withdrawal')
  })

  it('should also notify periodically while someone listens, and stop when nobody does', async () => {
    const prefix = uniquePrefix('registry')
    const one = await replica(prefix, { pollIntervalMs: 50 })
    let notices = 0
    const stop = one.registry.onChange(() => notices++)
    await waitFor(() => notices >= 3, 1000, 'three periodic notices')
    stop()
    const after = notices
    await Bun.sleep(150)
    expect(notices).toBe(after)
  })
})

describe('MemorySymbolRegistry', () => {
  it('should report its own set as the union and notify once per burst of changes', async () => {
    const registry = new MemorySymbolRegistry()
    let notices = 0
    registry.onChange(() => notices++)
    registry.want('MSFT')
    registry.want('AAPL')
    registry.want('AAPL')
    await registry.flush()
    expect(await registry.wantedUnion()).toEqual(['AAPL', 'MSFT'])
    await Bun.sleep(0)
    expect(notices).toBe(1)
    registry.unwant('MSFT')
    registry.unwant('NVDA')
    await Bun.sleep(0)
    expect(notices).toBe(2)
    expect(await registry.wantedUnion()).toEqual(['AAPL'])
    await registry.close()
    expect(await registry.wantedUnion()).toEqual([])
  })
})
