/** RedisBus's canary on real Redis servers: round trips counted, and a subscriber left on an old server (connected, hearing nothing) turns health degraded and is reconnected. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { RedisBus, type RedisBusOptions } from '../../src/adapters/redis/redis-bus'
import { connectRedis, PrivateRedisServer, uniquePrefix, waitFor } from '../support/redis-harness'
import { RetargetableProxy } from '../support/tcp-proxy'

/** Fast reconnects and a fast canary, so a stall shows in well under a second. */
const fast = {
  pingIntervalMs: 100,
  socketTimeoutMs: 400,
  canaryIntervalMs: 100,
  canaryTimeoutMs: 300,
  redisOptions: { retryStrategy: () => 50 },
}

describe('RedisBus canary', () => {
  // Two servers: "old" stands for a primary that lost its role but kept its connections, "current" for the new primary.
  const old = new PrivateRedisServer()
  const current = new PrivateRedisServer()
  const open: RedisBus[] = []
  const admins: Redis[] = []
  let proxy: RetargetableProxy

  beforeAll(async () => {
    await Promise.all([old.start(), current.start()])
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((bus) => bus.close()))
    for (const admin of admins.splice(0)) admin.disconnect()
    await proxy?.close()
  })
  afterAll(async () => {
    await Promise.all([old.stop(), current.stop()])
  })

  function bus(options: Partial<RedisBusOptions> & { prefix: string }): RedisBus {
    const created = new RedisBus({ ...fast, ...options })
    open.push(created)
    return created
  }

  /**
   * The bus under test reaches Redis through a proxy aimed at `old`; the proxy is re-aimed at
   * `current` and `old` drops its command connections (what Sentinel does to a demoted primary):
   * the publisher reconnects to `current`, the subscriber stays on `old`, connected and deaf.
   */
  async function leaveSubscriberBehind(under: RedisBus): Promise<void> {
    const admin = connectRedis(old.url)
    admins.push(admin)
    proxy.retarget(current.port)
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes')
    const names = async () => (await admin.call('CLIENT', 'LIST')) as string
    await waitFor(
      async () => !(await names()).includes(`bus-pub:${under.nodeId}`),
      5000,
      'publisher gone from the old server',
    )
    expect(await names()).toContain(`bus-sub:${under.nodeId}`)
  }

  it('should be ok only once its canary has come back, and count round trips', async () => {
    const prefix = uniquePrefix('canary')
    const a = bus({ prefix, url: current.url })
    await waitFor(() => a.health().state === 'ok', 5000, 'bus ok')
    const stats = a.stats().canary!
    expect(stats.returned).toBeGreaterThanOrEqual(1)
    expect(stats.lastRoundTripMs).not.toBeNull()
    // The canary channel is outside `<prefix>:*`: it is never mistaken for a topic.
    const probe = connectRedis(current.url)
    admins.push(probe)
    expect((await probe.call('PUBSUB', 'CHANNELS', `${prefix}:*`)) as string[]).toEqual([])
    expect((await probe.call('PUBSUB', 'CHANNELS', `${prefix}#canary:*`)) as string[]).toEqual([
      `${prefix}#canary:${a.nodeId}`,
    ])
  })

  it('should turn degraded when its subscriber is left on an old server, reconnect it, and deliver again', async () => {
    const prefix = uniquePrefix('canary')
    proxy = new RetargetableProxy(old.port)
    const under = bus({ prefix, url: await proxy.url })
    const other = bus({ prefix, url: current.url })
    const got: string[] = []
    under.subscribe('sym:AAPL', (payload) => got.push(payload))
    await under.settled()
    await waitFor(() => under.health().state === 'ok' && other.health().state === 'ok', 5000, 'both ok')
    const states: string[] = []
    under.onHealthChange((health) => states.push(`${health.state}${health.reason ? `: ${health.reason}` : ''}`))

    await leaveSubscriberBehind(under)
    // Both connections are up again, but the canary goes out on `current` and nobody hears it on `old`.
    await waitFor(() => under.healed >= 1, 5000, 'the stalled canary made the bus reconnect')
    expect(under.stats().canary!.missed).toBeGreaterThanOrEqual(1)
    await waitFor(() => under.health().state === 'ok', 5000, 'ok again after the reconnect')
    expect(states[0]).toStartWith('degraded')
    expect(states.at(-1)).toBe('ok')
    await under.settled()
    other.publish('sym:AAPL', 'after the failover')
    await waitFor(() => got.includes('after the failover'), 2000, 'delivery from the current server')
  })

  it('should, without a canary, stay ok while a subscriber left behind hears nothing (what the canary is for)', async () => {
    const prefix = uniquePrefix('canary')
    proxy = new RetargetableProxy(old.port)
    const blind = bus({ prefix, url: await proxy.url, canaryIntervalMs: 0 })
    const other = bus({ prefix, url: current.url })
    const witness = bus({ prefix, url: current.url })
    const got: string[] = []
    const heard: string[] = []
    blind.subscribe('sym:AAPL', (payload) => got.push(payload))
    witness.subscribe('sym:AAPL', (payload) => heard.push(payload))
    await Promise.all([blind.settled(), witness.settled()])
    await waitFor(() => [blind, other, witness].every((b) => b.health().state === 'ok'), 5000, 'all ok')

    await leaveSubscriberBehind(blind)
    await waitFor(() => blind.health().state === 'ok', 5000, 'publisher reconnected')
    other.publish('sym:AAPL', 'lost')
    await waitFor(() => heard.includes('lost'), 2000, 'the witness on the current server heard it')
    expect(got).toEqual([])
    expect(blind.health().state).toBe('ok')
    expect(blind.stats().canary).toBeUndefined()
  })
})
