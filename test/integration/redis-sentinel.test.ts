/** Every Redis adapter behind Sentinel (a private primary, replica and three Sentinels): the contract suites through the connection factory, then the primary killed under a bus and a command connection. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createRedisConnector, type RedisClient, type RedisConnect, type RedisTopology } from '../../src/adapters/redis/connect'
import { RedisConnectionCounter } from '../../src/adapters/redis/connection-counter'
import { RedisLoginAttempts } from '../../src/adapters/redis/login-attempts'
import { RedisRateLimiter } from '../../src/adapters/redis/rate-limiter'
import { RedisBus } from '../../src/adapters/redis/redis-bus'
import { RedisRevokedTokens } from '../../src/adapters/redis/revoked-tokens'
import { RedisSymbolRegistry } from '../../src/adapters/redis/symbol-registry'
import { busContract } from '../contracts/bus.contract'
import { connectionCounterContract } from '../contracts/connection-counter.contract'
import { loginAttemptsContract } from '../contracts/login-attempts.contract'
import { rateLimiterContract } from '../contracts/rate-limiter.contract'
import { revokedTokensContract } from '../contracts/revoked-tokens.contract'
import { symbolRegistryContract } from '../contracts/symbol-registry.contract'
import { SentinelDeployment } from '../support/sentinel-harness'
import { uniquePrefix } from '../support/redis-harness'
import { waitFor } from '../support/wait'

const deployment = new SentinelDeployment()
let connect: RedisConnect
const opened: { close(): unknown }[] = []

/** A connection through the factory, as app.ts opens them (no offline queue: used once ready), closed after the file. */
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
  await waitFor(() => buses.every((b) => b.health().state === 'ok'), 10_000, 'buses ok behind Sentinel')
}

beforeAll(async () => {
  await deployment.start()
  const topology: RedisTopology = {
    kind: 'sentinel',
    sentinels: deployment.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
    name: deployment.name,
    password: null,
    sentinelPassword: null,
  }
  connect = createRedisConnector(topology, { prefix: 'test' })
}, 60_000)

afterAll(async () => {
  for (const item of opened.splice(0)) await item.close()
  await deployment.stop()
}, 30_000)

busContract('RedisBus behind Sentinel', async () => {
  const prefix = uniquePrefix('sentinel-bus')
  const [a, b] = [bus(prefix), bus(prefix)]
  await ready(a, b)
  return { a, b, close: async () => {} }
})

revokedTokensContract('RedisRevokedTokens behind Sentinel', async (tokenTtlSec) => {
  const prefix = uniquePrefix('sentinel-revoked')
  const [a, b] = (await commands()).map(
    (redis) => new RedisRevokedTokens({ redis, prefix, tokenTtlSec, commandTimeoutMs: 2000 }),
  )
  return { a, b, close: async () => expect([a.degraded, b.degraded]).toEqual([false, false]) }
})

loginAttemptsContract('RedisLoginAttempts behind Sentinel', async (limits) => {
  const prefix = uniquePrefix('sentinel-login')
  const [a, b] = (await commands()).map(
    (redis) => new RedisLoginAttempts({ redis, prefix, limits, commandTimeoutMs: 2000 }),
  )
  return { a, b, close: async () => expect([a.degraded, b.degraded]).toEqual([false, false]) }
})

rateLimiterContract('RedisRateLimiter behind Sentinel', async () => {
  const prefix = uniquePrefix('sentinel-ratelimit')
  const [a, b] = (await commands()).map((redis) => new RedisRateLimiter({ redis, prefix, commandTimeoutMs: 2000 }))
  return { a, b, close: async () => expect([a.degraded, b.degraded]).toEqual([false, false]) }
})

connectionCounterContract('RedisConnectionCounter behind Sentinel', async () => {
  const prefix = uniquePrefix('sentinel-conns')
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

symbolRegistryContract('RedisSymbolRegistry behind Sentinel', async () => {
  const prefix = uniquePrefix('sentinel-registry')
  const buses = [bus(prefix), bus(prefix)]
  await ready(...buses)
  const [one, two] = await commands()
  const [a, b] = [
    new RedisSymbolRegistry({ redis: one!, bus: buses[0]!, prefix }),
    new RedisSymbolRegistry({ redis: two!, bus: buses[1]!, prefix }),
  ]
  return {
    a: a!,
    b: b!,
    listening: async () => void (await Promise.all(buses.map((x) => x.settled()))),
    close: async () => void (await Promise.all([a!.close(), b!.close()])),
  }
})

describe('the primary killed behind Sentinel', () => {
  it('should bring the bus and command connections to the promoted replica by themselves, and lose no sign-out a replica was asked to confirm', async () => {
    const prefix = uniquePrefix('sentinel-failover')
    const [a, b] = [bus(prefix), bus(prefix)]
    const got: string[] = []
    b.subscribe('sym:AAPL', (payload) => got.push(payload))
    await b.settled()
    await ready(a, b)
    const redis = await command()
    await redis.set(`${prefix}:before`, '1')
    const oldPort = await deployment.primaryPort()
    expect(oldPort).toBe(deployment.primary.port)
    // Two replicas' sign-outs the primary acknowledges while its replica lags (the link is held): then it dies.
    const tokenTtlSec = 3600
    const confirming = new RedisRevokedTokens({ redis: await command(), prefix, tokenTtlSec, replicasToConfirm: 1 })
    const trusting = new RedisRevokedTokens({ redis: await command(), prefix, tokenTtlSec })
    const token = () => ({
      jti: crypto.randomUUID(),
      userId: 7,
      iat: Date.now() / 1000 - 60,
      exp: Math.floor(Date.now() / 1000) + 600,
    })
    const [kept, lost] = [token(), token()]
    deployment.link.hold()
    await confirming.revoke(kept.jti, kept.exp)
    await trusting.revoke(lost.jti, lost.exp)
    expect([confirming.degraded, trusting.degraded]).toEqual([false, false]) // both written to the primary
    expect(confirming.unconfirmedCount).toBe(1) // no replica had it within 100 ms

    const { promoted: promotion } = await deployment.watchPromotion()
    const killedAt = Date.now()
    await deployment.primary.kill()
    await waitFor(() => a.health().state === 'degraded', 5000, 'the bus notices the dead primary')
    const promoted = await promotion
    expect(promoted).toMatchObject({ oldPort, newPort: deployment.replica.port })
    await ready(a, b)
    const busBackMs = Date.now() - promoted.at
    await b.settled()
    a.publish('sym:AAPL', 'after')
    await waitFor(() => got.includes('after'), 5000, 'delivery through the new primary')
    await waitFor(
      async () => (await redis.set(`${prefix}:after`, '1').catch(() => null)) === 'OK',
      5000,
      'writes accepted',
    )
    expect(await redis.get(`${prefix}:before`)).toBe('1') // replicated before the kill
    // A replica that starts now knows only Redis: the confirmed sign-out is there again, the other one is gone.
    const newcomer = new RedisRevokedTokens({ redis: await command(), prefix, tokenTtlSec })
    await waitFor(() => newcomer.isRevoked(kept), 5000, 'the unconfirmed sign-out written again to the new primary')
    expect(await newcomer.isRevoked(lost)).toBe(false) // what an unconfirmed write risks on a failover
    console.log(
      `sentinel failover: promoted ${promoted.at - killedAt} ms after the kill; bus ok ${busBackMs} ms after the promotion`,
    )
    expect(busBackMs).toBeLessThan(5000)
  }, 60_000)
})
