/** RedisLease timing on a simulated clock: a holder that cannot renew gives up before its key can expire. */
import { describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { SimulatedClock } from '../../ports/clock'
import { RedisLease } from './lease'

/** Stands in for ioredis: acquire and release succeed at once; renewals answer with `renewReply` (or never). */
function fakeRedis(renewReply: () => Promise<unknown>): Redis {
  let fence = 0
  const fake = {
    eval(script: string) {
      if (script.includes("'NX'")) return Promise.resolve(++fence)
      if (script.includes("'DEL'")) return Promise.resolve(1)
      return renewReply()
    },
  }
  return fake as unknown as Redis
}

const settle = () => Bun.sleep(0)

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
    await settle()
    expect(events).toEqual(['acquired 1'])
    for (let t = 0; t < ttlMs - driftMs - 1; t += 100) {
      clock.advance(Math.min(100, ttlMs - driftMs - 1 - t))
      await settle()
    }
    expect(lease.holding).toBe(true)
    clock.advance(1)
    await settle()
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
      await settle()
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
    await settle()
    expect(lease.holding).toBe(true)
    clock.advance(ttlMs / 3)
    await settle()
    expect(lease.holding).toBe(false)
    await lease.close()
  })
})
