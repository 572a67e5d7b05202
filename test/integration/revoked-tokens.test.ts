/** Session revocations against the RevokedTokens contract (memory; Redis as two replicas), Redis key expiry, and Redis outages. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import Redis, { type RedisOptions } from 'ioredis'
import { RedisRevokedTokens } from '../../src/adapters/redis/revoked-tokens'
import type { TokenRef } from '../../src/ports/revoked-tokens'
import { MemoryRevokedTokens } from '../../src/adapters/memory/memory-revoked-tokens'
import { revokedTokensContract } from '../contracts/revoked-tokens.contract'
import {
  connectRedis,
  freePort,
  PrivateRedisServer,
  requireSharedRedis,
  uniquePrefix,
  waitFor,
} from '../support/redis-harness'
import { createSilentLog } from '../support/silent-log'

const tokenTtlSec = 3600

let admin: Redis
beforeAll(async () => {
  await requireSharedRedis() // an unreachable Redis fails the suite, never skips it
  admin = connectRedis()
})
afterAll(() => admin?.disconnect())

/** Deletes every key under `prefix` on the shared Redis. */
async function deleteKeys(prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    if (keys.length > 0) await admin.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

function tokenOf(userId: number): TokenRef {
  const nowSec = Date.now() / 1000
  return { jti: crypto.randomUUID(), userId, iat: nowSec - 60, exp: Math.floor(nowSec) + 600 }
}

revokedTokensContract('MemoryRevokedTokens', async (tokenTtlSec) => {
  const revoked = new MemoryRevokedTokens({ tokenTtlSec }) // one process: both "replicas" are the same instance
  return { a: revoked, b: revoked, close: async () => {} }
})

revokedTokensContract('RedisRevokedTokens', async (tokenTtlSec) => {
  const prefix = uniquePrefix('revoked')
  const clients = [connectRedis(), connectRedis()]
  await Promise.all(clients.map((c) => c.ping()))
  const [a, b] = clients.map((redis) => new RedisRevokedTokens({ redis, prefix, tokenTtlSec, commandTimeoutMs: 2000 }))
  return {
    a,
    b,
    async close() {
      expect([a.degraded, b.degraded]).toEqual([false, false]) // every answer came from Redis, none from a fallback
      await deleteKeys(prefix)
      for (const c of clients) c.disconnect()
    },
  }
})

describe('RedisRevokedTokens', () => {
  const clients: Redis[] = []
  const servers: PrivateRedisServer[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect()
    for (const s of servers.splice(0)) await s.stop()
  })

  it("should keep a token's key until the token expires, and a user's cutoff for one token lifetime", async () => {
    const prefix = uniquePrefix('revoked')
    const redis = connectRedis()
    clients.push(redis)
    const revoked = new RedisRevokedTokens({ redis, prefix, tokenTtlSec })
    const token = tokenOf(41)
    const at = Date.now() / 1000
    await revoked.revoke(token.jti, token.exp)
    await revoked.revokeAllBefore(41, at)
    const tokenTtlMs = await admin.pttl(`${prefix}:revoked:jti:${token.jti}`)
    expect(Math.abs(tokenTtlMs - (token.exp * 1000 - Date.now()))).toBeLessThan(1000)
    const userTtlMs = await admin.pttl(`${prefix}:revoked:user:41`)
    expect(Math.abs(userTtlMs - ((at + tokenTtlSec) * 1000 - Date.now()))).toBeLessThan(1000)
    expect(Number(await admin.get(`${prefix}:revoked:user:41`))).toBeCloseTo(at, 3)
    await deleteKeys(prefix)
  })

  const unreachable: [string, RedisOptions][] = [
    ['a client that queues while reconnecting', { retryStrategy: () => 100 }],
    ['a client that fails fast (as app.ts builds it)', { maxRetriesPerRequest: 1, enableOfflineQueue: false }],
  ]
  for (const [label, options] of unreachable)
    it(`should answer from the sign-outs this process knows, quickly and without throwing, when Redis is unreachable (${label})`, async () => {
      const redis = new Redis(`redis://127.0.0.1:${freePort()}`, options)
      redis.on('error', () => {})
      clients.push(redis)
      const log = createSilentLog()
      const revoked = new RedisRevokedTokens({
        redis,
        tokenTtlSec,
        prefix: uniquePrefix('revoked'),
        commandTimeoutMs: 200,
        log,
      })
      const [mine, heard, unknown] = [tokenOf(1), tokenOf(2), tokenOf(3)]
      const started = Date.now()
      await revoked.revoke(mine.jti, mine.exp)
      revoked.learn({ kind: 'token', jti: heard.jti, expSec: heard.exp })
      expect(await revoked.isRevoked(mine)).toBe(true)
      expect(await revoked.isRevoked(heard)).toBe(true)
      expect(await revoked.isRevoked(unknown)).toBe(false) // fails open: an outage does not sign everyone out
      expect(Date.now() - started).toBeLessThan(3 * 2 * 200 + 1000) // two calls cut at 200 ms each, with a margin; the client alone would wait forever
      expect(revoked.degraded).toBe(true)
      expect(log.lines.filter((l) => l.level === 'warn').length).toBe(1) // once per outage, not once per call
    })

  it('should answer at once while Redis hangs, and refuse everywhere what it revoked meanwhile once Redis is back', async () => {
    const server = new PrivateRedisServer()
    servers.push(server)
    await server.start()
    const [one, two] = [connectRedis(server.url), connectRedis(server.url)]
    clients.push(one, two)
    const log = createSilentLog()
    const prefix = uniquePrefix('revoked')
    // A 2 s command timeout: a call that does reach the hung Redis takes 2 s, one that does not takes
    // far less even on a loaded machine, so a 1 s bound tells them apart.
    const options = { prefix, tokenTtlSec, commandTimeoutMs: 2000 }
    const a = new RedisRevokedTokens({ redis: one, ...options, retryIntervalMs: 60_000, log })
    const b = new RedisRevokedTokens({ redis: two, ...options, retryIntervalMs: 100 })
    const [before, during, other] = [tokenOf(7), tokenOf(7), tokenOf(7)]
    await a.revoke(before.jti, before.exp)
    expect(await a.isRevoked(other)).toBe(false)
    expect(a.degraded).toBe(false)

    server.pause()
    expect(await a.isRevoked(other)).toBe(false) // waits out one timeout, then fails open
    expect(a.degraded).toBe(true)
    let started = Date.now()
    expect(await a.isRevoked(other)).toBe(false) // degraded: no Redis call until the retry interval passes
    expect(await a.isRevoked(before)).toBe(true) // revoked here before the outage
    expect(Date.now() - started).toBeLessThan(1000)
    started = Date.now()
    await a.revoke(during.jti, during.exp)
    expect(Date.now() - started).toBeLessThan(2000 + 1000) // at most one timeout
    expect(await a.isRevoked(during)).toBe(true)

    server.resume()
    await a.revokeAllBefore(8, Date.now() / 1000) // a's next Redis call ends its outage
    await waitFor(() => a.unsyncedCount === 0, 5000, 'a writes the revocation it made during the outage')
    await waitFor(async () => (await b.isRevoked(other), !b.degraded), 5000, 'b reaches Redis again')
    expect(await b.isRevoked(during)).toBe(true)
    expect(await b.isRevoked({ ...tokenOf(8), iat: Date.now() / 1000 - 1 })).toBe(true)
    expect(log.lines.filter((l) => l.level === 'warn').length).toBe(1)
    expect(log.lines.filter((l) => l.level === 'info').length).toBe(1)
  })

  it('should write a revocation Redis never received (it was down) as soon as Redis is back, without waiting for its own next call', async () => {
    const server = new PrivateRedisServer()
    servers.push(server)
    await server.start()
    // Fail-fast clients, as app.ts builds them: a command while Redis is down is refused, not queued.
    const [one, two] = [0, 1].map(() => {
      const client = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
      client.on('error', () => {})
      return client
    })
    clients.push(one, two)
    await waitFor(() => one.status === 'ready' && two.status === 'ready', 5000, 'both clients connected')
    const options = { prefix: uniquePrefix('revoked'), tokenTtlSec, commandTimeoutMs: 200, retryIntervalMs: 50 }
    const [a, b] = [
      new RedisRevokedTokens({ redis: one, ...options }),
      new RedisRevokedTokens({ redis: two, ...options }),
    ]
    const [signedOut, other] = [tokenOf(9), tokenOf(9)]

    await server.kill()
    await a.revoke(signedOut.jti, signedOut.exp)
    expect(a.unsyncedCount).toBe(1)
    expect(await a.isRevoked(signedOut)).toBe(true)

    await server.start()
    // Only b asks: a answers its own sign-outs locally and may never call Redis, yet b must hear of it.
    await waitFor(() => b.isRevoked(signedOut), 5000, 'b refuses the token a revoked while Redis was down')
    expect(a.unsyncedCount).toBe(0)
    expect(await b.isRevoked(other)).toBe(false)
  })
})
