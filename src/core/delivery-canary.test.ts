/** DeliveryCanary: round trips, misses by timeout and by overtaking, the stalled verdict and resets. */
import { describe, expect, it } from 'bun:test'
import { DeliveryCanary } from './delivery-canary'

describe('DeliveryCanary', () => {
  it('should be unproven until a probe comes back, then proven with its round trip', () => {
    const canary = new DeliveryCanary(3000)
    expect(canary.verdict).toBe('unproven')
    const seq = canary.send(1000)
    expect(canary.verdict).toBe('unproven')
    expect(canary.receive(seq, 1004)).toBe(true)
    expect(canary.verdict).toBe('proven')
    expect(canary.stats()).toEqual({ sent: 1, returned: 1, missed: 0, lastRoundTripMs: 4 })
  })

  it('should call delivery stalled once a probe outlives the bound, and proven again when one returns', () => {
    const canary = new DeliveryCanary(3000)
    canary.receive(canary.send(0), 1)
    const lost = canary.send(2000)
    expect(canary.expire(4999)).toBe(false)
    expect(canary.verdict).toBe('proven')
    expect(canary.oldestWaitMs(4999)).toBe(2999)
    expect(canary.expire(5000)).toBe(true)
    expect(canary.verdict).toBe('stalled')
    expect(canary.expire(9000)).toBe(false) // already stalled: no second transition
    expect(canary.receive(lost, 5001)).toBe(false) // too late: already counted
    const next = canary.send(6000)
    expect(canary.receive(next, 6002)).toBe(true)
    expect(canary.verdict).toBe('proven')
    expect(canary.stats()).toEqual({ sent: 3, returned: 2, missed: 1, lastRoundTripMs: 2 })
  })

  it('should count older pending probes as missed when a later one comes back first', () => {
    const canary = new DeliveryCanary(3000)
    canary.send(0)
    canary.send(100)
    const third = canary.send(200)
    expect(canary.receive(third, 250)).toBe(true)
    expect(canary.stats()).toMatchObject({ sent: 3, returned: 1, missed: 2 })
    expect(canary.oldestWaitMs(300)).toBe(0)
  })

  it('should forget pending probes on reset without counting them, and be unproven again', () => {
    const canary = new DeliveryCanary(3000)
    canary.receive(canary.send(0), 1)
    canary.send(10)
    canary.reset()
    expect(canary.verdict).toBe('unproven')
    expect(canary.expire(100_000)).toBe(false)
    expect(canary.stats()).toMatchObject({ sent: 2, returned: 1, missed: 0 })
  })

  it('should keep at most maxPending probes, counting the oldest as missed', () => {
    const canary = new DeliveryCanary(3000, 2)
    canary.send(0)
    canary.send(1)
    canary.send(2)
    expect(canary.stats().missed).toBe(1)
    expect(canary.oldestWaitMs(2)).toBe(1)
  })
})
