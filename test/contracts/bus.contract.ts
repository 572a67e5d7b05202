/** The Bus contract: one suite every Bus adapter must pass (two buses standing in for two replicas). */
import { afterEach, describe, expect, it } from 'bun:test'
import type { Bus } from '../../src/ports/bus'
import { waitFor } from '../support/wait'

/** Two buses on one transport (two replicas), plus whatever must be torn down with them. */
export interface BusPair {
  a: Bus
  b: Bus
  close(): Promise<void>
}

/** Polls until `condition` holds; fails the test with `label` after `timeoutMs`. */
const until = (condition: () => boolean, label: string, timeoutMs = 10_000) => waitFor(condition, timeoutMs, label)

/**
 * A positive barrier for checks that something did NOT arrive: `from` publishes probes on fresh
 * topics `to` has confirmed, and once they land every message `from` published before them has
 * reached `to`'s handlers. One publisher's messages keep their order across the topics of one
 * connection each way (memory: one queue; one Redis; on a Redis Cluster, per shard: one
 * connection per primary each way), so the probes go on 32 topics: on a three-shard cluster every
 * shard gets one but for odds of 3 × (2/3)^32, about 1 in 125,000.
 */
async function barrier(from: Bus, to: Bus): Promise<void> {
  const topics = Array.from({ length: 32 }, () => `probe:${crypto.randomUUID()}`)
  let arrived = 0
  const offs = topics.map((topic) => to.subscribe(topic, () => arrived++))
  await Promise.all(topics.map((topic) => to.subscribed(topic)))
  for (const topic of topics) from.publish(topic, 'probe')
  await until(() => arrived === topics.length, 'the barrier probes')
  for (const off of offs) off()
}

/** Lets in-flight messages land where no barrier can be sent (a closed bus). */
const quietPeriodMs = 100

export function busContract(name: string, makeBusPair: () => Promise<BusPair>): void {
  describe(`Bus contract: ${name}`, () => {
    let pair: BusPair | null = null
    const open = async () => (pair = await makeBusPair())
    afterEach(async () => {
      await pair?.close()
      pair = null
    })

    it('should deliver a message published on one bus to handlers on the other', async () => {
      const { a, b } = await open()
      const got: string[] = []
      b.subscribe('sym:AAPL', (payload) => got.push(payload))
      await b.settled()
      a.publish('sym:AAPL', '{"p":1}')
      await until(() => got.length === 1, 'delivery')
      expect(got).toEqual(['{"p":1}'])
      expect(a.nodeId).not.toBe(b.nodeId)
    })

    it('should deliver what is published once subscribed() confirmed the topic, without waiting for settled()', async () => {
      const { a, b } = await open()
      const got: string[] = []
      b.subscribe('user:1', (payload) => got.push(payload))
      await b.subscribed('user:1')
      a.publish('user:1', 'signed out')
      await until(() => got.length === 1, 'delivery after confirmation')
      expect(got).toEqual(['signed out'])
    })

    it('should confirm again a topic re-subscribed while its unsubscribe is under way', async () => {
      const { a, b } = await open()
      const got: string[] = []
      const first = b.subscribe('user:3', () => {})
      await b.subscribed('user:3')
      first()
      // Let the unsubscribe reach the transport, then want the topic back before it is answered.
      await new Promise((resolve) => setImmediate(resolve))
      b.subscribe('user:3', (payload) => got.push(payload))
      await b.subscribed('user:3')
      a.publish('user:3', 'signed out')
      await until(() => got.length === 1, 'delivery after re-confirmation')
      expect(got).toEqual(['signed out'])
    })

    it('should confirm at once a topic with no handler, and any topic after close', async () => {
      const { b } = await open()
      await b.subscribed('nobody')
      const off = b.subscribe('t', () => {})
      const pending = b.subscribed('t')
      off()
      await pending
      b.subscribe('t', () => {})
      await b.close()
      await b.subscribed('t')
    })

    it('should keep topics apart', async () => {
      const { a, b } = await open()
      const got: string[] = []
      b.subscribe('sym:AAPL', (payload) => got.push(`AAPL ${payload}`))
      b.subscribe('sym:MSFT', (payload) => got.push(`MSFT ${payload}`))
      await b.settled()
      a.publish('sym:NVDA', 'x')
      a.publish('sym:MSFT', 'y')
      await until(() => got.length === 1, 'MSFT delivery')
      await barrier(a, b)
      expect(got).toEqual(['MSFT y'])
    })

    it("should never deliver a node's own messages back to it (echo suppression)", async () => {
      const { a, b } = await open()
      const gotA: string[] = []
      const gotB: string[] = []
      a.subscribe('t', (payload) => gotA.push(payload))
      b.subscribe('t', (payload) => {
        gotB.push(payload)
        // Sent after b saw 'own', so a's echo of 'own' (if any) would reach a before 'reply'.
        if (payload === 'own') b.publish('t', 'reply')
      })
      await Promise.all([a.settled(), b.settled()])
      a.publish('t', 'own')
      await until(() => gotA.length === 1, 'reply from b')
      // An echo of 'own' to a would have come before 'reply'; an echo of 'reply' to b comes before a's probe.
      await barrier(a, b)
      expect(gotA).toEqual(['reply'])
      expect(gotB).toEqual(['own'])
    })

    it('should deliver to every handler of a topic, each subscription independently', async () => {
      const { a, b } = await open()
      const got: string[] = []
      const handler = (payload: string) => got.push(payload)
      const first = b.subscribe('t', handler)
      b.subscribe('t', handler)
      await b.settled()
      a.publish('t', 'one')
      await until(() => got.length === 2, 'two deliveries')
      first()
      a.publish('t', 'two')
      await until(() => got.length === 3, 'one delivery')
      await barrier(a, b)
      expect(got).toEqual(['one', 'one', 'two'])
    })

    it('should stop delivery once unsubscribed, and tolerate unsubscribing twice', async () => {
      const { a, b } = await open()
      const got: string[] = []
      const unsubscribe = b.subscribe('t', (payload) => got.push(payload))
      await b.settled()
      a.publish('t', 'before')
      await until(() => got.length === 1, 'first delivery')
      unsubscribe()
      unsubscribe()
      await b.settled()
      a.publish('t', 'after')
      await barrier(a, b)
      expect(got).toEqual(['before'])
    })

    it('should preserve per-topic order of 10,000 messages from one publisher', async () => {
      const { a, b } = await open()
      const got: Record<string, number[]> = { x: [], y: [] }
      b.subscribe('order:x', (payload) => got.x.push(Number(payload)))
      b.subscribe('order:y', (payload) => got.y.push(Number(payload)))
      await b.settled()
      for (let i = 0; i < 10_000; i++) a.publish(i % 2 === 0 ? 'order:x' : 'order:y', String(i))
      await until(() => got.x.length + got.y.length === 10_000, '10,000 messages', 15_000)
      const expected = (parity: number) => Array.from({ length: 5000 }, (_, i) => 2 * i + parity)
      expect(got.x).toEqual(expected(0))
      expect(got.y).toEqual(expected(1))
    })

    it('should keep delivering when a handler throws', async () => {
      const { a, b } = await open()
      const got: string[] = []
      const original = console.error
      console.error = () => {}
      try {
        b.subscribe('t', () => {
          throw new Error('handler bug')
        })
        b.subscribe('t', (payload) => got.push(payload))
        await b.settled()
        a.publish('t', 'one')
        a.publish('t', 'two')
        await until(() => got.length === 2, 'both messages')
      } finally {
        console.error = original
      }
      expect(got).toEqual(['one', 'two'])
    })

    it('should report ok health and count what it published and delivered', async () => {
      const { a, b } = await open()
      expect(a.health()).toEqual({ state: 'ok' })
      b.subscribe('t', () => {})
      await b.settled()
      a.publish('t', 'x')
      await until(() => b.stats().delivered === 1, 'delivered count')
      expect(a.stats()).toMatchObject({ published: 1, dropped: 0 })
    })

    it('should never throw from publish or subscribe after close', async () => {
      const { a, b } = await open()
      const got: string[] = []
      b.subscribe('t', (payload) => got.push(payload))
      await b.settled()
      await b.close()
      await b.close()
      expect(() => a.publish('t', 'x')).not.toThrow()
      expect(() => b.publish('t', 'x')).not.toThrow()
      expect(() => b.subscribe('t', () => {})()).not.toThrow()
      await b.settled()
      await Bun.sleep(quietPeriodMs)
      expect(got).toEqual([])
    })
  })
}
