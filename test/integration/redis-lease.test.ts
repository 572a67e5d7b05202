/** RedisLease on a real Redis: one holder at a time, takeover after release or death, increasing fencing tokens. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { RedisLease } from '../../src/adapters/redis/lease'
import { connectRedis, requireSharedRedis, uniquePrefix, waitFor } from '../support/redis-harness'

const ttlMs = 600
const renewEveryMs = ttlMs / 3
/** Scheduling and round-trip allowance on a loaded test machine. */
const slackMs = 250

type Contender = { lease: RedisLease; redis: Redis; events: { type: 'acquired' | 'lost'; at: number; token?: number }[] }

const contenders: Contender[] = []
function contend(key: string, nodeId: string): Contender {
  const redis = connectRedis()
  const lease = new RedisLease({ redis, key, nodeId, ttlMs })
  const contender: Contender = { lease, redis, events: [] }
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
    await waitFor(() => a.lease.holding || b.lease.holding, 2000, 'a holder')
    const deadline = Date.now() + 3 * ttlMs
    while (Date.now() < deadline) {
      expect(Number(a.lease.holding) + Number(b.lease.holding)).toBe(1)
      await Bun.sleep(5)
    }
    const holder = a.lease.holding ? a : b
    expect(await admin.get(key)).toBe(holder === a ? 'node-a' : 'node-b')
    expect(holder.lease.token).toBeGreaterThan(0)
    expect(holder.events.map((e) => e.type)).toEqual(['acquired'])
  })

  it('should hand over within one renew interval after the holder closes, with a greater token', async () => {
    const key = `${uniquePrefix('lease')}:upstream`
    const a = contend(key, 'node-a')
    await waitFor(() => a.lease.holding, 2000, 'a holds')
    const firstToken = a.lease.token!
    const b = contend(key, 'node-b')
    await Bun.sleep(50)
    expect(b.lease.holding).toBe(false)

    const closedAt = Date.now()
    await a.lease.close()
    expect(a.events.map((e) => e.type)).toEqual(['acquired', 'lost'])
    expect(await admin.get(key)).not.toBe('node-a')
    await waitFor(() => b.lease.holding, renewEveryMs + slackMs, 'b takes over')
    expect(Date.now() - closedAt).toBeLessThanOrEqual(renewEveryMs + slackMs)
    expect(b.lease.token!).toBeGreaterThan(firstToken)
  })

  it('should make a dead holder give up before the survivor takes over within the ttl', async () => {
    const key = `${uniquePrefix('lease')}:upstream`
    const a = contend(key, 'node-a')
    await waitFor(() => a.lease.holding, 2000, 'a holds')
    const firstToken = a.lease.token!
    const b = contend(key, 'node-b')

    const diedAt = Date.now()
    a.redis.disconnect() // a can no longer renew; its process lives on
    await waitFor(() => b.lease.holding, ttlMs + slackMs, 'b takes over')
    const acquiredAt = b.events.find((e) => e.type === 'acquired')!.at
    const lostAt = a.events.find((e) => e.type === 'lost')?.at
    expect(lostAt).toBeDefined()
    expect(lostAt!).toBeLessThanOrEqual(acquiredAt)
    expect(lostAt! - diedAt).toBeLessThanOrEqual(ttlMs)
    // b polls as the key expires, not up to a renew interval later.
    expect(acquiredAt - diedAt).toBeLessThanOrEqual(ttlMs + slackMs)
    expect(a.lease.holding).toBe(false)
    expect(a.lease.token).toBeNull()
    expect(b.lease.token!).toBeGreaterThan(firstToken)
  })

  it('should keep holding across many renewals and release the key on close', async () => {
    const key = `${uniquePrefix('lease')}:upstream`
    const a = contend(key, 'node-a')
    await waitFor(() => a.lease.holding, 2000, 'a holds')
    await Bun.sleep(4 * ttlMs)
    expect(a.lease.holding).toBe(true)
    expect(a.events.map((e) => e.type)).toEqual(['acquired'])
    expect(Number(await admin.pttl(key))).toBeGreaterThan(0)
    await a.lease.close()
    expect(await admin.get(key)).toBeNull()
  })

  it('should lose the lease at once when another node owns the key', async () => {
    const key = `${uniquePrefix('lease')}:upstream`
    const a = contend(key, 'node-a')
    await waitFor(() => a.lease.holding, 2000, 'a holds')
    await admin.set(key, 'intruder', 'PX', 5000) // e.g. an operator or a split-brain holder
    await waitFor(() => !a.lease.holding, renewEveryMs + slackMs, 'a notices at its next renewal')
    expect(a.events.map((e) => e.type)).toEqual(['acquired', 'lost'])
  })
})
