/** MemoryConnectionCounter against the ConnectionCounter contract (one process: both "replicas" are the same instance), plus its own cap test. */
import { describe, expect, it } from 'bun:test'
import { MemoryConnectionCounter } from '../../src/adapters/memory/memory-connection-counter'
import { connectionCounterContract } from '../contracts/connection-counter.contract'

connectionCounterContract('MemoryConnectionCounter', async () => {
  const counter = new MemoryConnectionCounter()
  return { a: counter, b: counter, close: () => counter.close() }
})

describe('MemoryConnectionCounter', () => {
  it('should enforce the cap per user and free a slot on release', async () => {
    const counter = new MemoryConnectionCounter()
    expect(await counter.tryAcquire('u1', 'c1', 2)).toBe(true)
    expect(await counter.tryAcquire('u1', 'c2', 2)).toBe(true)
    expect(await counter.tryAcquire('u1', 'c3', 2)).toBe(false)
    expect(await counter.tryAcquire('u1', 'c2', 2)).toBe(true)
    expect(await counter.tryAcquire('u2', 'c4', 2)).toBe(true)
    await counter.release('u1', 'c1')
    expect(counter.localCount('u1')).toBe(1)
    expect(await counter.tryAcquire('u1', 'c3', 2)).toBe(true)
  })
})
