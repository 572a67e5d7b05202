/** RedisLease timing on a simulated clock: a holder that cannot renew gives up before its key can expire; a contender takes over as the key expires. */
import { describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { SimulatedClock } from '../memory/simulated-clock'
import { RedisLease } from './lease'
import { flushPromises } from '../../../test/support/wait'

/** Stands in for ioredis: acquire and release succeed at once; renewals answer with `renewReply` (or never). */
function fakeRedis(renewReply: () => Promise<unknown>): Redis {
  let fence = 0
  const fake = {
    eval(script: string) {
      if (script.includes("'NX'")) return Promise.resolve([++fence, 0])
      if (script.includes("'DEL'")) return Promise.resolve(1)
      return renewReply()
    },
  }
  return fake as unknown as Redis
}


describe('RedisLease timing', () => {
  const ttlMs = 3000
  const driftMs = Math.floor(ttlMs * 0.01) + 2

  it('should give up locally at acquire time + ttl - drift when renewals never answer', async () => {
    const clock = new SimulatedClock(1_000_000)
    const lease = new RedisLease({ redis: fakeRedis(() => new Promise(() => {})), key: 'k', nodeId: 'n', ttlMs, clock })
    const events: string[] = []
    lease.onAcquired((token) => events.push(`acquired ${token}`))
    lease.onLost(() => events.push('lost'))
    lease.start()
    clock.advance(0)
    await flushPromises()
    expect(events).toEqual(['acquired 1'])
    for (let t = 0; t < ttlMs - driftMs - 1; t += 100) {
      clock.advance(Math.min(100, ttlMs - driftMs - 1 - t))
      await flushPromises()
    }
    expect(lease.holding).toBe(true)
    clock.advance(1)
    await flushPromises()
    expect(events).toEqual(['acquired 1', 'lost'])
    expect(lease.holding).toBe(false)
    await lease.close()
  })

  it('should keep holding while renewals succeed, and move the deadline with each', async () => {
    const clock = new SimulatedClock(0)
    const lease = new RedisLease({ redis: fakeRedis(() => Promise.resolve(1)), key: 'k', nodeId: 'n', ttlMs, clock })
    lease.start()
    for (let t = 0; t < 10 * ttlMs; t += 50) {
      clock.advance(50)
      await flushPromises()
    }
    expect(lease.holding).toBe(true)
    expect(lease.token).toBe(1)
    await lease.close()
    expect(lease.holding).toBe(false)
  })

  it('should lose at once when a renewal finds the key gone', async () => {
    const clock = new SimulatedClock(0)
    const lease = new RedisLease({ redis: fakeRedis(() => Promise.resolve(0)), key: 'k', nodeId: 'n', ttlMs, clock })
    lease.start()
    clock.advance(0)
    await flushPromises()
    expect(lease.holding).toBe(true)
    clock.advance(ttlMs / 3)
    await flushPromises()
    expect(lease.holding).toBe(false)
    await lease.close()
  })

  it('should come back as the holder\'s key expires, not a renewal interval later, when its holder stopped renewing', async () => {
    const clock = new SimulatedClock(0)
    // Another node holds the key: 2,500 ms left at the first poll, 150 ms left at the second, then it is free.
    const replies = [[0, 2_500], [0, 150], [7, 0]]
    const polls: number[] = []
    const redis = {
      eval(script: string) {
        if (!script.includes("'NX'")) return Promise.resolve(1)
        polls.push(clock.now())
        return Promise.resolve(replies.shift())
      },
    } as unknown as Redis
    const lease = new RedisLease({ redis, key: 'k', nodeId: 'n', ttlMs, clock })
    lease.start()
    for (let t = 0; t <= 2 * ttlMs && !lease.holding; t += 1) {
      clock.advance(1)
      await flushPromises()
    }
    // The first reply is read on the next 1 ms step. ttl/3 = 1,000 ms until the next poll while the
    // key has longer to live; then at its expiry (150 + 1 ms), not another 1,000 ms later.
    expect(polls).toEqual([0, 1 + 1_000, 1_001 + 151])
    expect([lease.holding, lease.token]).toEqual([true, 7])
    await lease.close()
  })
})
