/** SymbolPipeline supervision: a failed hub or upstream actor is replaced, counted, and the pipeline carries on. */
import { describe, expect, it } from 'bun:test'
import { MemoryBus, MemoryBusHub } from '../adapters/memory/memory-bus'
import { MemorySymbolRegistry } from '../adapters/memory/memory-symbol-registry'
import { SimulatedFeed } from '../adapters/simulated/simulated-feed'
import { createSilentLog } from '../../test/support/silent-log'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import type { UpstreamFeed } from '../ports/upstream'
import { SymbolPipeline } from './symbol-pipeline'

/** Lets queued mailbox work and microtasks run (the actors here are driven by a simulated clock, not by time). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

function setup(registry: MemorySymbolRegistry, feed: UpstreamFeed) {
  const clock = new SimulatedClock(Date.UTC(2026, 10, 18, 15))
  const pipeline = new SymbolPipeline({
    clock,
    log: createSilentLog(),
    bus: new MemoryBus(),
    registry,
    feed,
    publishLocal: () => 0,
    flushMs: 0,
    derivedMs: 0,
    graceMs: 1000,
    pressureCheckBytes: 1 << 20,
    random: () => 0.5,
  })
  pipeline.start()
  return { clock, pipeline }
}

describe('SymbolPipeline supervision', () => {
  it('should replace a failed symbol hub, count it, and run the wanted symbols again', async () => {
    const registry = new MemorySymbolRegistry()
    const real = registry.wantedUnion.bind(registry)
    let poisoned = true
    // One broken answer from the registry makes the hub's handler throw (a defect, not an outage).
    registry.wantedUnion = async () => (poisoned ? ((poisoned = false), 42 as unknown as string[]) : real())
    const clock = new SimulatedClock(Date.UTC(2026, 10, 18, 15))
    const { pipeline } = setup(registry, new SimulatedFeed({ clock }))
    registry.want('AAPL')
    pipeline.setHolding(true)
    await settle()
    expect(pipeline.restarts).toEqual({ hub: 1, upstream: 0 })
    registry.want('MSFT')
    await settle()
    expect(pipeline.wanted()).toEqual(['AAPL', 'MSFT'])
    pipeline.stop()
  })

  it('should replace a failed upstream actor and connect again', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 10, 18, 15))
    const real = new SimulatedFeed({ clock })
    let opens = 0
    const feed: UpstreamFeed = {
      name: 'simulated',
      open(handlers) {
        if (++opens === 1) throw new Error('a defect in the feed adapter')
        return real.open(handlers)
      },
    }
    const registry = new MemorySymbolRegistry()
    const { pipeline } = setup(registry, feed)
    pipeline.setHolding(true)
    await settle()
    expect(pipeline.restarts).toEqual({ hub: 0, upstream: 1 })
    expect(opens).toBe(2)
    expect(pipeline.report().state).not.toBe('failed')
    pipeline.stop()
  })
})

describe('SymbolPipeline bus batches', () => {
  it('should put symbol messages on the bus only when another replica can hear them', async () => {
    const busTopics = async (shared: boolean) => {
      const hub = new MemoryBusHub()
      const bus = new MemoryBus({ hub })
      const peer = shared ? new MemoryBus({ hub }) : null
      const topics: string[] = []
      const publish = bus.publish.bind(bus)
      bus.publish = (topic, payload) => (topics.push(topic), publish(topic, payload))
      const clock = new SimulatedClock(Date.UTC(2026, 10, 18, 15))
      let local = 0
      const pipeline = new SymbolPipeline({
        clock,
        log: createSilentLog(),
        bus,
        registry: new MemorySymbolRegistry(),
        feed: new SimulatedFeed({ clock }),
        publishLocal: () => (local++, 1),
        flushMs: 0,
        derivedMs: 0,
        graceMs: 1000,
        pressureCheckBytes: 1 << 20,
        random: () => 0.5,
      })
      pipeline.start()
      pipeline.setHolding(true)
      const member = { subscribeTopic() {}, unsubscribeTopic() {}, conflating: false, offer() {}, checkPressure() {} }
      pipeline.fanout.attach(member, 'AAPL')
      await settle()
      for (let i = 0; i < 20; i++) {
        clock.advance(250)
        await settle()
      }
      pipeline.stop()
      await peer?.close()
      return { local: local > 0, symbol: topics.includes('sym:AAPL') }
    }
    // A replica alone (the default single process) delivers locally and builds no bus batch; with a peer it does both.
    expect(await busTopics(false)).toEqual({ local: true, symbol: false })
    expect(await busTopics(true)).toEqual({ local: true, symbol: true })
  })

  it('should back off when a replaced upstream actor keeps failing before a healthy session', async () => {
    let opens = 0
    const feed: UpstreamFeed = {
      name: 'simulated',
      open() {
        opens++
        throw new Error('a defect that fails on every session')
      },
    }
    const { clock, pipeline } = setup(new MemorySymbolRegistry(), feed)
    pipeline.setHolding(true)
    await settle()
    // The first failure is replaced at once; the second waits its backoff instead of reconnecting in a loop.
    expect(opens).toBe(2)
    await settle()
    expect(opens).toBe(2)
    // Full jitter at random 0.5: 300 ms before the third session, then 550 ms before the fourth.
    clock.advance(299)
    await settle()
    expect(opens).toBe(2)
    clock.advance(1)
    await settle()
    expect(opens).toBe(3)
    clock.advance(549)
    await settle()
    expect(opens).toBe(3)
    clock.advance(1)
    await settle()
    expect(opens).toBe(4)
    expect(pipeline.restarts.upstream).toBe(4)
    pipeline.stop()
  })
})
