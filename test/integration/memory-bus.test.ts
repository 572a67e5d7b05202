/** MemoryBus against the Bus contract, plus what is specific to the in-process hub. */
import { describe, expect, it } from 'bun:test'
import { MemoryBus, MemoryBusHub } from '../../src/adapters/memory/memory-bus'
import { busContract } from '../contracts/bus.contract'
import { flushPromises } from '../support/wait'

busContract('MemoryBus', async () => {
  const hub = new MemoryBusHub()
  const a = new MemoryBus({ hub })
  const b = new MemoryBus({ hub })
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) }
})

describe('MemoryBus', () => {
  it('should deliver nothing when alone on its hub (a single process has no other node)', async () => {
    const bus = new MemoryBus()
    const got: string[] = []
    bus.subscribe('t', (payload) => got.push(payload))
    bus.publish('t', 'x')
    await flushPromises() // delivery is a microtask: it would have happened by now
    expect(got).toEqual([])
    expect(bus.stats().published).toBe(1)
  })

  it('should say it is shared only while another bus is on its hub', async () => {
    expect(new MemoryBus().shared).toBe(false)
    const hub = new MemoryBusHub()
    const a = new MemoryBus({ hub })
    expect(a.shared).toBe(false)
    const b = new MemoryBus({ hub })
    expect([a.shared, b.shared]).toEqual([true, true])
    await b.close()
    expect(a.shared).toBe(false)
  })

  it('should deliver asynchronously, never inside publish()', async () => {
    const hub = new MemoryBusHub()
    const a = new MemoryBus({ hub })
    const b = new MemoryBus({ hub })
    const got: string[] = []
    b.subscribe('t', (payload) => got.push(payload))
    a.publish('t', 'x')
    expect(got).toEqual([])
    await Promise.resolve()
    expect(got).toEqual(['x'])
  })

  it('should fan out to every other bus on the hub', async () => {
    const hub = new MemoryBusHub()
    const [a, b, c] = [new MemoryBus({ hub }), new MemoryBus({ hub }), new MemoryBus({ hub })]
    const got: string[] = []
    b.subscribe('t', (payload) => got.push(`b:${payload}`))
    c.subscribe('t', (payload) => got.push(`c:${payload}`))
    a.publish('t', 'x')
    await flushPromises()
    expect(got.sort()).toEqual(['b:x', 'c:x'])
  })
})
