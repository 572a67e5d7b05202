/** SingleFlight: one call per key while in flight, failures shared then forgotten, strong callers not failed by a weak call. */
import { describe, expect, it } from 'bun:test'
import { SingleFlight } from './single-flight'

/** A call the test answers when it wants. */
function controlled<T>() {
  const calls: { resolve(v: T): void; reject(e: unknown): void }[] = []
  const fn = () => {
    const { promise, resolve, reject } = Promise.withResolvers<T>()
    calls.push({ resolve, reject })
    return promise
  }
  return { fn, calls }
}

describe('SingleFlight', () => {
  it('should share one call among concurrent callers of a key and call again once it settled', async () => {
    const flights = new SingleFlight()
    const { fn, calls } = controlled<number>()
    const a = flights.run('k', fn)
    const b = flights.run('k', fn)
    const other = flights.run('other', fn)
    expect(calls).toHaveLength(2)
    expect(flights.size).toBe(2)
    calls[0]!.resolve(1)
    calls[1]!.resolve(2)
    expect([await a, await b, await other]).toEqual([1, 1, 2])
    expect(flights.size).toBe(0)
    const c = flights.run('k', fn)
    expect(calls).toHaveLength(3)
    calls[2]!.resolve(3)
    expect(await c).toBe(3)
  })

  it('should give every waiter the failure, and remember it for no one', async () => {
    const flights = new SingleFlight()
    const { fn, calls } = controlled<number>()
    const waiters = [flights.run('k', fn), flights.run('k', fn)]
    calls[0]!.reject(new Error('down'))
    for (const w of waiters) await expect(w).rejects.toThrow('down')
    const again = flights.run('k', fn)
    expect(calls).toHaveLength(2)
    calls[1]!.resolve(7)
    expect(await again).toBe(7)
  })

  it('should let a strong caller that joined a failed weak call ask again itself', async () => {
    const flights = new SingleFlight()
    const { fn, calls } = controlled<string>()
    const weak = flights.run('k', fn, false)
    const weakToo = flights.run('k', fn, false)
    const strong = flights.run('k', fn)
    calls[0]!.reject(new Error('refused: background'))
    await expect(weak).rejects.toThrow('refused')
    await expect(weakToo).rejects.toThrow('refused')
    expect(calls).toHaveLength(2)
    calls[1]!.resolve('interactive answer')
    expect(await strong).toBe('interactive answer')
  })

  it('should not retry for a weak caller, nor for a strong one that joined a strong call', async () => {
    const flights = new SingleFlight()
    const { fn, calls } = controlled<number>()
    const first = flights.run('k', fn)
    const strong = flights.run('k', fn)
    const weak = flights.run('k', fn, false)
    calls[0]!.reject(new Error('down'))
    await Promise.allSettled([first, strong, weak])
    await expect(strong).rejects.toThrow('down')
    await expect(weak).rejects.toThrow('down')
    expect(calls).toHaveLength(1)
  })
})
