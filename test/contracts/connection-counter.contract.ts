/** The ConnectionCounter contract: one suite every adapter must pass (two instances of one deployment standing in for two replicas). */
import { afterEach, describe, expect, it } from 'bun:test'
import type { ConnectionCounter } from '../../src/ports/connection-counter'

/** Two instances of one deployment (two replicas; one process may hand back the same object twice). */
export interface ConnectionCounterPair {
  a: ConnectionCounter
  b: ConnectionCounter
  close(): Promise<void>
}

export function connectionCounterContract(name: string, makePair: () => Promise<ConnectionCounterPair>): void {
  describe(`ConnectionCounter contract: ${name}`, () => {
    let pair: ConnectionCounterPair | null = null
    const open = async () => (pair = await makePair())
    afterEach(async () => {
      await pair?.close()
      pair = null
    })
    /** A user no other test (or run) has counted. */
    const freshUser = () => `u${crypto.randomUUID().slice(0, 8)}`

    it('should admit up to `limit` connections of a user, counting other users apart, and free a slot on release', async () => {
      const { a } = await open()
      const [ann, bob] = [freshUser(), freshUser()]
      expect(await a.tryAcquire(ann, 'c1', 2)).toBe(true)
      expect(await a.tryAcquire(ann, 'c2', 2)).toBe(true)
      expect(await a.tryAcquire(ann, 'c3', 2)).toBe(false)
      expect(await a.tryAcquire(bob, 'c4', 2)).toBe(true)
      await a.release(ann, 'c1')
      expect(await a.tryAcquire(ann, 'c3', 2)).toBe(true)
      expect(await a.tryAcquire(ann, 'c5', 2)).toBe(false)
    })

    it('should answer true for a connection it already holds, without taking another slot', async () => {
      const { a } = await open()
      const ann = freshUser()
      expect(await a.tryAcquire(ann, 'c1', 2)).toBe(true)
      expect(await a.tryAcquire(ann, 'c1', 2)).toBe(true)
      expect(a.localCount(ann)).toBe(1)
      expect(await a.tryAcquire(ann, 'c2', 2)).toBe(true)
      expect(await a.tryAcquire(ann, 'c1', 2)).toBe(true) // at the cap, but already held
    })

    it('should count a user across both instances: what one admits, the other sees', async () => {
      const { a, b } = await open()
      const ann = freshUser()
      expect(await a.tryAcquire(ann, 'c1', 2)).toBe(true)
      expect(await b.tryAcquire(ann, 'c2', 2)).toBe(true)
      expect(await a.tryAcquire(ann, 'c3', 2)).toBe(false)
      expect(await b.tryAcquire(ann, 'c3', 2)).toBe(false)
      await a.release(ann, 'c1')
      expect(await b.tryAcquire(ann, 'c3', 2)).toBe(true)
    })

    it('should admit exactly `limit` of many connections racing on both instances', async () => {
      const { a, b } = await open()
      const ann = freshUser()
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).tryAcquire(ann, `c${i}`, 3)),
      )
      expect(results.filter(Boolean).length).toBe(3)
    })

    it("should count in localCount only this instance's connections, and tolerate releasing twice or what it never held", async () => {
      const { a } = await open()
      const ann = freshUser()
      expect(a.localCount(ann)).toBe(0)
      await a.tryAcquire(ann, 'c1', 5)
      await a.tryAcquire(ann, 'c2', 5)
      expect(a.localCount(ann)).toBe(2)
      expect(await a.tryAcquire(ann, 'c3', 2)).toBe(false)
      expect(a.localCount(ann)).toBe(2) // a refused connection is not counted
      await a.release(ann, 'c1')
      await a.release(ann, 'c1')
      await a.release(ann, 'never-held')
      await a.release(freshUser(), 'c2')
      expect(a.localCount(ann)).toBe(1)
      await a.refresh()
      expect(a.localCount(ann)).toBe(1)
    })
  })
}
