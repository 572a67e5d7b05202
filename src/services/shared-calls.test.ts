/** SharedCalls: one upstream call per key while in flight or fresh; failures are not remembered; answers bounded in number and age. */
import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { SharedCalls } from './shared-calls'
import { deferred } from '../../test/support/wait'

describe('SharedCalls', () => {
  it('should share an in-flight call and reuse its answer until the TTL passes', async () => {
    const clock = new SimulatedClock(1_000)
    const calls = new SharedCalls(clock)
    let n = 0
    const upstream = deferred()
    const answer = () => upstream.promise.then(() => ++n)
    const asked = [1, 2, 3].map(() => calls.get('k', 100, answer))
    upstream.resolve() // the upstream answers once all three wait on the call
    const first = await Promise.all(asked)
    expect(first).toEqual([1, 1, 1].map((value) => ({ value, at: 1_000 })))
    clock.advance(99)
    expect((await calls.get('k', 100, answer)).value).toBe(1)
    expect((await calls.get('other', 100, answer)).value).toBe(2)
    clock.advance(1)
    expect(await calls.get('k', 100, answer)).toEqual({ value: 3, at: 1_100 })
  })

  it('should hand a failure to every waiter and try again on the next request', async () => {
    const calls = new SharedCalls(new SimulatedClock(0))
    let n = 0
    const upstream = deferred()
    const failing = () => upstream.promise.then(() => Promise.reject(new Error(`down ${++n}`)))
    const asked = [calls.get('k', 1_000, failing), calls.get('k', 1_000, failing)]
    upstream.resolve() // the call fails once both wait on it
    const results = await Promise.allSettled(asked)
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual([
      'down 1',
      'down 1',
    ])
    expect((await calls.get('k', 1_000, async () => 'up')).value).toBe('up')
  })

  it('should forget stale answers, not only the oldest beyond its bound', async () => {
    const clock = new SimulatedClock(0)
    const calls = new SharedCalls(clock)
    for (let i = 0; i < 50; i++) await calls.get(`k${i}`, 100, async () => i)
    clock.advance(100)
    await calls.get('fresh', 100, async () => 'x')
    expect(calls.size).toBe(1)
  })

  it('should forget the least recently used keys beyond its bound (200 by default)', async () => {
    const calls = new SharedCalls(new SimulatedClock(0), { maxEntries: 2 })
    let n = 0
    for (const key of ['a', 'b']) await calls.get(key, 1_000, async () => ++n)
    expect((await calls.get('a', 1_000, async () => ++n)).value).toBe(1) // a is now the most recent
    await calls.get('c', 1_000, async () => ++n)
    expect((await calls.get('b', 1_000, async () => ++n)).value).toBe(4)
    expect(calls.size).toBe(2)
    const byDefault = new SharedCalls(new SimulatedClock(0))
    for (let i = 0; i < 500; i++) await byDefault.get(`chain|${i}`, 60_000, async () => i)
    expect(byDefault.size).toBe(200)
  })

  it('should keep an answer staleForMs past its TTL for last(), then forget it', async () => {
    const clock = new SimulatedClock(0)
    const calls = new SharedCalls(clock, { staleForMs: 1_000 })
    await calls.get('k', 100, async () => 'old')
    clock.advance(500)
    const failed = await calls.get('k', 100, () => Promise.reject(new Error('down'))).catch((e: Error) => e.message)
    expect(failed).toBe('down')
    expect(calls.last('k')).toEqual({ value: 'old', at: 0 })
    clock.advance(600)
    expect(calls.last('k')).toBeUndefined()
    expect(new SharedCalls(clock).last('never')).toBeUndefined()
  })
})
