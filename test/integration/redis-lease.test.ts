/** RedisLease on a real Redis: one holder at a time, takeover after release or death, increasing fencing tokens. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { RedisLease } from '../../src/adapters/redis/lease'
import { connectRedis, requireSharedRedis, uniquePrefix, waitFor } from '../support/redis-harness'
import { Changes, flushPromises } from '../support/wait'

/** Long enough that a renew interval (1.5 s) exceeds the slack: every bound below tells the stated behaviour from the next worse one. */
const ttlMs = 4500
const renewEveryMs = ttlMs / 3
/** Scheduling and round-trip allowance on a loaded test machine. */
const slackMs = 1000

type Contender = {
  lease: RedisLease
  redis: Redis
  events: { type: 'acquired' | 'lost'; at: number; token?: number }[]
  /** Resolves once this contender's Redis has answered `n` lease commands and the lease has read the answers. */
  answered(n: number): Promise<void>
}

const contenders: Contender[] = []
function contend(key: string, nodeId: string): Contender {
  const redis = connectRedis()
  let answers = 0
  const answered = new Changes()
  const evalCommand = redis.eval.bind(redis) as (...args: unknown[]) => Promise<unknown>
  ;(redis as unknown as { eval: typeof evalCommand }).eval = (...args) => {
    const reply = evalCommand(...args)
    reply.finally(() => void flushPromises().then(() => (answers++, answered.changed()))).catch(() => {})
    return reply
  }
  const lease = new RedisLease({ redis, key, nodeId, ttlMs })
  const contender: Contender = {
    lease,
    redis,
    events: [],
    answered: (n) => answered.until(() => answers >= n, `${n} answers to ${nodeId}`),
  }
  lease.onAcquired((token) => contender.events.push({ type: 'acquired', at: Date.now(), token }))
  lease.onLost(() => contender.events.push({ type: 'lost', at: Date.now() }))
  lease.start()
  contenders.push(contender)
  return contender
}

let admin: Redis
beforeAll(async () => {
  await requireSharedRedis()
  admin = connectRedis()
})
afterAll(() => admin?.disconnect())

/** When Redis expires `key` (ms since the epoch, Redis's clock: the same machine's), or null. */
async function expiresAt(key: string): Promise<number | null> {
  const at = Number(await admin.call('PEXPIRETIME', key))
  return at > 0 ? at : null
}

/** Resolves once the holder has renewed `key` so often that its expiry moved `byMs` past `from`. */
function renewedPast(key: string, from: number, byMs: number): Promise<void> {
  return waitFor(async () => ((await expiresAt(key)) ?? 0) >= from + byMs, byMs + 10 * ttlMs, `renewals moving the expiry ${byMs} ms`)
}
afterEach(async () => {
  for (const { lease, redis } of contenders.splice(0)) {
    await lease.close()
    redis.disconnect()
  }
})

describe('RedisLease', () => {
  it('should let exactly one of two contenders hold the lease', async () => {
    const key = `${uniquePrefix('lease')}:upstream`
    const a = contend(key, 'node-a')
    const b = contend(key, 'node-b')
    await waitFor(() => a.lease.holding || b.lease.holding, 5000, 'a holder')
    // Through two renewals (the expiry moved two intervals), nobody else acquired and nobody lost it.
    await renewedPast(key, (await expiresAt(key))!, 2 * renewEveryMs - 50)
    expect(Number(a.lease.holding) + Number(b.lease.holding)).toBe(1)
    expect([...a.events, ...b.events].map((e) => e.type)).toEqual(['acquired'])
    const holder = a.lease.holding ? a : b
    expect(await admin.get(key)).toBe(holder === a ? 'node-a' : 'node-b')
    expect(holder.lease.token).toBeGreaterThan(0)
    expect(holder.events.map((e) => e.type)).toEqual(['acquired'])
  })

  it('should hand over within one renew interval after the holder closes, with a greater token', async () => {
    const key = `${uniquePrefix('lease')}:upstream`
    const a = contend(key, 'node-a')
    await waitFor(() => a.lease.holding, 5000, 'a holds')
    const firstToken = a.lease.token!
    const b = contend(key, 'node-b')
    await b.answered(1) // b asked once and was refused
    expect(b.lease.holding).toBe(false)

    const expiry = (await expiresAt(key))!
    const closedAt = Date.now()
    await a.lease.close()
    expect(a.events.map((e) => e.type)).toEqual(['acquired', 'lost'])
    expect(await admin.get(key)).not.toBe('node-a')
    await waitFor(() => b.lease.holding, renewEveryMs + slackMs + 5000, 'b takes over')
    expect(Date.now() - closedAt).toBeLessThanOrEqual(renewEveryMs + slackMs)
    expect(b.events.find((e) => e.type === 'acquired')!.at).toBeLessThan(expiry) // the release, not the expiry, let b in
    expect(b.lease.token!).toBeGreaterThan(firstToken)
  })

  it('should make a dead holder give up before the survivor takes over within the ttl', async () => {
    const key = `${uniquePrefix('lease')}:upstream`
    const a = contend(key, 'node-a')
    await waitFor(() => a.lease.holding, 5000, 'a holds')
    const firstToken = a.lease.token!
    const b = contend(key, 'node-b')

    const diedAt = Date.now()
    a.redis.disconnect() // a can no longer renew; its process lives on
    const expiry = (await expiresAt(key))! // final: nobody renews it any more
    await waitFor(() => b.lease.holding, ttlMs + slackMs + 5000, 'b takes over')
    const acquiredAt = b.events.find((e) => e.type === 'acquired')!.at
    const lostAt = a.events.find((e) => e.type === 'lost')?.at
    expect(lostAt).toBeDefined()
    expect(lostAt!).toBeLessThanOrEqual(acquiredAt)
    expect(lostAt! - diedAt).toBeLessThanOrEqual(ttlMs + slackMs)
    // b polls as the key expires, not up to a renew interval later.
    expect(acquiredAt - diedAt).toBeLessThanOrEqual(ttlMs + slackMs)
    expect(acquiredAt - expiry).toBeLessThanOrEqual(slackMs)
    expect(a.lease.holding).toBe(false)
    expect(a.lease.token).toBeNull()
    expect(b.lease.token!).toBeGreaterThan(firstToken)
  })

  it('should keep holding across many renewals and release the key on close', async () => {
    const key = `${uniquePrefix('lease')}:upstream`
    const a = contend(key, 'node-a')
    await waitFor(() => a.lease.holding, 5000, 'a holds')
    // Renewed until its key has outlived its first ttl (three renewals).
    await renewedPast(key, (await expiresAt(key))!, ttlMs)
    expect(a.lease.holding).toBe(true)
    expect(a.events.map((e) => e.type)).toEqual(['acquired'])
    expect(Number(await admin.pttl(key))).toBeGreaterThan(0)
    await a.lease.close()
    expect(await admin.get(key)).toBeNull()
  })

  it('should lose the lease at once when another node owns the key', async () => {
    const key = `${uniquePrefix('lease')}:upstream`
    const a = contend(key, 'node-a')
    await waitFor(() => a.lease.holding, 5000, 'a holds')
    const setAt = Date.now()
    await admin.set(key, 'intruder', 'PX', 3 * ttlMs) // e.g. an operator or a split-brain holder
    await waitFor(() => !a.lease.holding, renewEveryMs + slackMs + 5000, 'a notices at its next renewal')
    expect(a.events.find((e) => e.type === 'lost')!.at - setAt).toBeLessThanOrEqual(renewEveryMs + slackMs)
    expect(a.events.map((e) => e.type)).toEqual(['acquired', 'lost'])
  })
})
