/** Every Redis adapter on a Redis Cluster (a private one: three primaries, three replicas): the contract suites through the connection factory, the bus's sharded Pub/Sub spread over the primaries, and the lease's keys in one slot. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createRedisConnector, type RedisClient, type RedisConnect } from '../../src/adapters/redis/connect'
import { RedisConnectionCounter } from '../../src/adapters/redis/connection-counter'
import { createRedisJobLock } from '../../src/adapters/redis/job-lock'
import { RedisLease } from '../../src/adapters/redis/lease'
import { RedisLoginAttempts } from '../../src/adapters/redis/login-attempts'
import { RedisRateLimiter } from '../../src/adapters/redis/rate-limiter'
import { RedisBus } from '../../src/adapters/redis/redis-bus'
import { RedisRevokedTokens } from '../../src/adapters/redis/revoked-tokens'
import { RedisSymbolRegistry } from '../../src/adapters/redis/symbol-registry'
import { busContract } from '../contracts/bus.contract'
import { connectionCounterContract } from '../contracts/connection-counter.contract'
import { jobLockContract } from '../contracts/job-lock.contract'
import { loginAttemptsContract } from '../contracts/login-attempts.contract'
import { rateLimiterContract } from '../contracts/rate-limiter.contract'
import { revokedTokensContract } from '../contracts/revoked-tokens.contract'
import { symbolRegistryContract } from '../contracts/symbol-registry.contract'
import { hashSlot } from '../../src/core/hash-slot'
import { RedisClusterDeployment } from '../support/cluster-harness'
import { uniquePrefix } from '../support/redis-harness'
import { Changes, waitFor } from '../support/wait'

const deployment = new RedisClusterDeployment()
let connect: RedisConnect
const opened: { close(): unknown }[] = []

/** A command connection through the factory, as app.ts opens them (no offline queue: used once ready), closed after the file. */
async function command(): Promise<RedisClient> {
  const client = connect('commands')
  opened.push({ close: () => client.disconnect() })
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve))
  return client
}

async function commands(): Promise<RedisClient[]> {
  return Promise.all([command(), command()])
}

function bus(prefix: string): RedisBus {
  const created = new RedisBus({ connect, prefix })
  opened.push(created)
  return created
}

async function ready(...buses: RedisBus[]): Promise<void> {
  await waitFor(() => buses.every((b) => b.health().state === 'ok'), 10_000, 'buses ok on the cluster')
}

beforeAll(async () => {
  await deployment.start()
  connect = createRedisConnector({ kind: 'cluster', nodes: deployment.nodes, password: null }, { prefix: 'test' })
}, 60_000)

afterAll(async () => {
  for (const item of opened.splice(0)) await item.close()
  await deployment.stop()
}, 30_000)

busContract('RedisBus on a Redis Cluster (sharded Pub/Sub)', async () => {
  const prefix = uniquePrefix('cluster-bus')
  const [a, b] = [bus(prefix), bus(prefix)]
  await ready(a, b)
  return { a, b, close: async () => {} }
})

revokedTokensContract('RedisRevokedTokens on a Redis Cluster', async (tokenTtlSec) => {
  const prefix = uniquePrefix('cluster-revoked')
  const [a, b] = (await commands()).map(
    (redis) => new RedisRevokedTokens({ redis, prefix, tokenTtlSec, commandTimeoutMs: 2000 }),
  )
  return { a, b, close: async () => expect([a.degraded, b.degraded]).toEqual([false, false]) }
})

loginAttemptsContract('RedisLoginAttempts on a Redis Cluster', async (limits) => {
  const prefix = uniquePrefix('cluster-login')
  const [a, b] = (await commands()).map(
    (redis) => new RedisLoginAttempts({ redis, prefix, limits, commandTimeoutMs: 2000 }),
  )
  return { a, b, close: async () => expect([a.degraded, b.degraded]).toEqual([false, false]) }
})

rateLimiterContract('RedisRateLimiter on a Redis Cluster', async () => {
  const prefix = uniquePrefix('cluster-ratelimit')
  const [a, b] = (await commands()).map((redis) => new RedisRateLimiter({ redis, prefix, commandTimeoutMs: 2000 }))
  return { a, b, close: async () => expect([a.degraded, b.degraded]).toEqual([false, false]) }
})

connectionCounterContract('RedisConnectionCounter on a Redis Cluster', async () => {
  const prefix = uniquePrefix('cluster-conns')
  const [a, b] = (await commands()).map((redis) => new RedisConnectionCounter({ redis, prefix }))
  return {
    a,
    b,
    async close() {
      expect([a.degraded, b.degraded]).toEqual([false, false])
      await Promise.all([a.close(), b.close()])
    },
  }
})

jobLockContract('RedisJobLock on a Redis Cluster', async () => {
  const prefix = uniquePrefix('cluster-jobs')
  const [a, b] = (await commands()).map((redis) => createRedisJobLock(redis, prefix))
  return { a: a!, b: b!, close: async () => {} }
})

symbolRegistryContract('RedisSymbolRegistry on a Redis Cluster', async () => {
  const prefix = uniquePrefix('cluster-registry')
  const buses = [bus(prefix), bus(prefix)]
  await ready(...buses)
  const [one, two] = await commands()
  const [a, b] = [
    new RedisSymbolRegistry({ redis: one!, bus: buses[0]!, prefix }),
    new RedisSymbolRegistry({ redis: two!, bus: buses[1]!, prefix }),
  ]
  return {
    a,
    b,
    listening: async () => void (await Promise.all(buses.map((x) => x.settled()))),
    close: async () => void (await Promise.all([a.close(), b.close()])),
  }
})

describe('the bus on a Redis Cluster', () => {
  it('should publish each symbol once, with SPUBLISH to the primary owning its channel, spreading symbols over every primary and copying nothing to the others', async () => {
    const prefix = uniquePrefix('cluster-spread')
    const [a, b] = [bus(prefix), bus(prefix)]
    await ready(a, b)
    const symbols = Array.from({ length: 30 }, (_, i) => `S${i}`)
    const got = new Map<string, string[]>()
    const arrived = new Changes()
    for (const symbol of symbols)
      b.subscribe(`sym:${symbol}`, (payload) => {
        got.set(symbol, [...(got.get(symbol) ?? []), payload])
        arrived.changed()
      })
    await b.settled()
    const before = await deployment.readings()
    for (const symbol of symbols) for (const n of [1, 2, 3]) a.publish(`sym:${symbol}`, `${symbol}#${n}`)
    await arrived.until(() => symbols.every((s) => got.get(s)?.length === 3), 'every symbol’s three events')
    const after = await deployment.readings()
    // Per channel, order is kept (one channel lives on one shard).
    for (const symbol of symbols) expect(got.get(symbol)).toEqual([1, 2, 3].map((n) => `${symbol}#${n}`))
    const delta = (command: string) =>
      after.map((node) => ({
        port: node.port,
        role: node.role,
        calls: node.calls(command) - (before.find((b) => b.port === node.port)?.calls(command) ?? 0),
      }))
    const primaries = delta('spublish').filter((node) => node.role === 'master')
    expect(primaries).toHaveLength(3)
    // The canaries' SPUBLISHes ride along (one channel each, every 2 s): at most a few per node.
    const sum = primaries.reduce((total, node) => total + node.calls, 0)
    expect(sum).toBeGreaterThanOrEqual(symbols.length * 3)
    expect(sum).toBeLessThan(symbols.length * 3 + 20)
    for (const node of primaries) expect(node.calls).toBeGreaterThan(10) // 30 symbols spread over 3 shards, none left out
    expect(delta('publish').every((node) => node.calls === 0)).toBe(true) // no classic PUBLISH, copied to every node
    console.log(`cluster spread: SPUBLISH per primary for 90 symbol events: ${primaries.map((n) => n.calls).join(', ')}`)
  }, 30_000)
})

describe('the upstream lease on a Redis Cluster', () => {
  it('should keep the lease and its fencing counter in one slot: one holder, and a token greater than the last after a release', async () => {
    const key = `${uniquePrefix('cluster-lease')}:lease:upstream`
    const [one, two] = await commands()
    const [a, b] = [
      new RedisLease({ redis: one!, key, nodeId: 'a', ttlMs: 3000 }),
      new RedisLease({ redis: two!, key, nodeId: 'b', ttlMs: 3000 }),
    ]
    opened.push(a, b)
    const changes = new Changes()
    for (const lease of [a, b]) {
      lease.onAcquired(() => changes.changed())
      lease.onLost(() => changes.changed())
    }
    a.start()
    await changes.until(() => a.holding, 'a holds the lease')
    b.start()
    const first = a.token!
    await a.close()
    await changes.until(() => b.holding, 'b takes over after a released')
    expect(a.holding).toBe(false)
    expect(b.token!).toBeGreaterThan(first)
    expect(await one!.exists(`{${key}}`, `{${key}}:fence`)).toBe(2) // both in the one slot the tag names
  }, 30_000)
})

describe('the bus canary on a Redis Cluster', () => {
  it('should probe every shard: a primary that stops answering turns health degraded though the canary’s base channel lives elsewhere, and ok again once it answers', async () => {
    const prefix = uniquePrefix('cluster-canary')
    const watched = new RedisBus({ connect, prefix, canaryIntervalMs: 100, canaryTimeoutMs: 300 })
    opened.push(watched)
    await ready(watched)
    expect(watched.health().state).toBe('ok')
    const seen: { at: number; state: string }[] = []
    const changed = new Changes()
    watched.onHealthChange((health) => {
      seen.push({ at: Date.now(), state: health.state === 'ok' ? 'ok' : (health.reason ?? 'degraded') })
      changed.changed()
    })
    // A primary that does not serve the canary's own channel name: a single probe there would never notice.
    const baseOwner = await deployment.ownerPort(`${prefix}#canary:${watched.nodeId}`)
    const primaries = (await deployment.readings()).filter((node) => node.role === 'master').map((node) => node.port)
    const victim = deployment.server(primaries.find((port) => port !== baseOwner)!)
    victim.pause()
    const pausedAt = Date.now()
    try {
      await changed.until(() => seen.length > 0, 'the bus degraded by the silent shard', 5000)
      // Then it asks for the slot map again (the canary's remedy on a cluster) and goes on probing: two rounds of the shards that answer.
      await waitFor(() => watched.healed > 0, 5000, 'the stalled bus healing')
      const sent = watched.stats().canary!.sent
      await waitFor(() => watched.stats().canary!.sent >= sent + 4, 5000, 'two probe rounds after the reconnect')
    } finally {
      victim.resume()
    }
    expect(seen[0]!.state).toMatch(/delivery stalled: a canary was not back within 300 ms though both connections are up \(3 shards probed\)/)
    // Not ok while the shard was silent (before the cluster could fail it over: node timeout 1 s), though two shards answered.
    expect(seen.filter((change) => change.at < pausedAt + 900).map((change) => change.state)).not.toContain('ok')
    await waitFor(() => watched.health().state === 'ok', 15_000, 'the bus ok again once the shard answers')
    expect(watched.stats().canary!.missed).toBeGreaterThan(0)
  }, 30_000)

  it('should compute the slots the cluster computes (CLUSTER KEYSLOT)', async () => {
    const redis = await command()
    for (const key of ['mw:sym:AAPL', 'mw#canary:n1:{7}', '{mw:wanted}:nodes', 'ÄPFEL'])
      expect(Number(await redis.call('CLUSTER', 'KEYSLOT', key))).toBe(hashSlot(key))
  })
})

// Last in the file: it kills a primary.
describe('a primary killed on a Redis Cluster', () => {
  it('should bring every symbol of a bus back once the cluster has failed over, and let command connections write to the promoted replica', async () => {
    const prefix = uniquePrefix('cluster-failover')
    const [a, b] = [bus(prefix), bus(prefix)]
    const symbols = Array.from({ length: 12 }, (_, i) => `F${i}`)
    const lastSeen = new Map<string, number>()
    const arrived = new Changes()
    for (const symbol of symbols)
      b.subscribe(`sym:${symbol}`, (payload) => {
        lastSeen.set(symbol, Number(payload))
        arrived.changed()
      })
    await b.settled()
    await ready(a, b)
    const redis = await command()
    const victim = await deployment.ownerPort(`${prefix}:sym:F0`)
    const victimKey = `${prefix}:probe{${prefix}:sym:F0}` // a key in F0's slot
    await redis.set(victimKey, 'before')
    // The holder publishes every symbol every 50 ms, as a feed does; each round numbered.
    let round = 0
    const feed = setInterval(() => {
      round++
      for (const symbol of symbols) a.publish(`sym:${symbol}`, String(round))
    }, 50)
    try {
      await arrived.until(() => symbols.every((s) => (lastSeen.get(s) ?? 0) > 0), 'every symbol before the kill')
      const killedAt = Date.now()
      await deployment.server(victim).kill()
      const killedRound = round
      await waitFor(
        async () => (await deployment.ownerPort(`${prefix}:sym:F0`).catch(() => victim)) !== victim,
        15_000,
        'a replica promoted in place of the killed primary',
      )
      const promotedAt = Date.now()
      await arrived.until(
        () => symbols.every((s) => (lastSeen.get(s) ?? 0) > killedRound + 1),
        'every symbol delivered again after the failover',
        15_000,
      )
      const backAt = Date.now()
      await waitFor(
        async () => (await redis.set(victimKey, 'after').catch(() => null)) === 'OK',
        10_000,
        'a write to the failed-over slot',
      )
      console.log(
        `cluster failover: promoted ${promotedAt - killedAt} ms after the kill (node timeout 1 s); every symbol back ${backAt - promotedAt} ms after the promotion was seen`,
      )
      expect(backAt - promotedAt).toBeLessThan(5000)
    } finally {
      clearInterval(feed)
    }
  }, 60_000)
})
