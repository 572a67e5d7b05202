import { describe, expect, it } from 'bun:test'
import { MemorySymbolRegistry } from '../adapters/memory/memory-symbol-registry'
import { createSilentLog } from '../../test/support/silent-log'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { quotesWantedEntry } from '../contract/channels'
import { SymbolHub } from './symbol-hub'
import { Changes, flushPromises } from '../../test/support/wait'

function setup(publish: (symbol: string, payload: string) => void = () => {}) {
  const clock = new SimulatedClock(1_000_000)
  const registry = new MemorySymbolRegistry()
  const hub = new SymbolHub({
    clock,
    log: createSilentLog(),
    registry,
    flushMs: 0,
    source: 'simulated',
    publish,
    nodeId: 'n1',
    graceMs: 5000,
  })
  let changes = 0
  const reported = new Changes()
  hub.onWantedChange(() => (changes++, reported.changed()))
  hub.start()
  /** Resolves once the hub reported a change of its wanted symbols and they are `symbols`. */
  const wantedBecomes = (symbols: string[]) =>
    reported.until(() => hub.wanted().join() === symbols.join(), `wanted symbols ${symbols}`)
  return { clock, registry, hub, changes: () => changes, wantedBecomes }
}

describe('SymbolHub', () => {
  it('should run one actor per wanted symbol only while holding', async () => {
    const { registry, hub, changes, wantedBecomes } = setup()
    registry.want('AAPL')
    await flushPromises() // the registry's notice and the hub's handling of it, all in memory
    expect(hub.wanted()).toEqual([])
    hub.setHolding(true)
    await wantedBecomes(['AAPL'])
    expect(hub.wanted()).toEqual(['AAPL'])
    registry.want('MSFT')
    await wantedBecomes(['AAPL', 'MSFT'])
    expect(hub.wanted()).toEqual(['AAPL', 'MSFT'])
    expect(changes()).toBe(2)
    hub.setHolding(false)
    await wantedBecomes([])
    expect(hub.wanted()).toEqual([])
  })

  it('should want quotes of a symbol only while its quotes entry is in the registry, with no grace', async () => {
    const { registry, hub, changes, wantedBecomes } = setup()
    hub.setHolding(true)
    registry.want('AAPL')
    registry.want('MSFT')
    await wantedBecomes(['AAPL', 'MSFT'])
    expect(hub.wantedQuotes()).toEqual([])
    const before = changes()
    registry.want(quotesWantedEntry('MSFT'))
    await flushPromises()
    expect(hub.wanted()).toEqual(['AAPL', 'MSFT'])
    expect(hub.wantedQuotes()).toEqual(['MSFT'])
    expect(changes()).toBe(before + 1)
    registry.unwant(quotesWantedEntry('MSFT'))
    await flushPromises()
    expect(hub.wantedQuotes()).toEqual([])
    expect(hub.wanted()).toEqual(['AAPL', 'MSFT'])
    expect(changes()).toBe(before + 2)
  })

  it('should keep an unwanted actor for the grace period and keep it when wanted again', async () => {
    const { clock, registry, hub, wantedBecomes } = setup()
    hub.setHolding(true)
    registry.want('AAPL')
    registry.want('MSFT')
    await wantedBecomes(['AAPL', 'MSFT'])
    const aapl = hub.actor('AAPL')!
    registry.unwant('AAPL')
    registry.unwant('MSFT')
    await flushPromises() // the hub starts both grace periods on the simulated clock
    clock.advance(4000)
    expect(hub.wanted()).toEqual(['AAPL', 'MSFT'])
    registry.want('AAPL')
    await flushPromises() // the hub ends AAPL's grace period
    clock.advance(1000)
    expect(hub.wanted()).toEqual(['AAPL'])
    expect(hub.actor('AAPL')).toBe(aapl)
    expect(aapl.status).toBe('running')
  })

  it('should route trades to their actors, splitting mixed frames', async () => {
    const seen: string[] = []
    const { registry, hub, wantedBecomes } = setup((symbol, payload) => seen.push(`${symbol}:${JSON.parse(payload).type}`))
    hub.setHolding(true)
    registry.want('AAPL')
    registry.want('MSFT')
    await wantedBecomes(['AAPL', 'MSFT'])
    hub.trades([
      { symbol: 'AAPL', p: 1, s: 1, t: 1, q: 1 },
      { symbol: 'MSFT', p: 2, s: 1, t: 1, q: 2 },
      { symbol: 'TSLA', p: 3, s: 1, t: 1, q: 3 },
    ])
    expect(seen.filter((s) => s.endsWith(':trade'))).toEqual(['AAPL:trade', 'MSFT:trade'])
  })

  it('should replace a failed actor with a fresh one in a new epoch', async () => {
    let fail = true
    const { registry, hub, wantedBecomes } = setup(() => {
      if (fail) {
        fail = false
        throw new Error('publish failed')
      }
    })
    hub.setHolding(true)
    registry.want('AAPL')
    await wantedBecomes(['AAPL'])
    const first = hub.actor('AAPL')!
    hub.trades([{ symbol: 'AAPL', p: 1, s: 1, t: 1, q: 1 }])
    expect(first.status).toBe('failed')
    const second = hub.actor('AAPL')!
    expect(second).not.toBe(first)
    expect(second.epoch).not.toBe(first.epoch)
    expect(second.status).toBe('running')
    expect(hub.restarts).toBe(1)
  })

  it('should flush busy symbols together at each window boundary, from one timer, so a subscriber of many gets them in one turn', async () => {
    const clock = new SimulatedClock(1_000_000)
    let timers = 0
    const counted = { ...clock, now: () => clock.now(), setTimeout: (fn: () => void, ms: number) => (timers++, clock.setTimeout(fn, ms)), clearTimeout: (h: Parameters<SimulatedClock['clearTimeout']>[0]) => clock.clearTimeout(h) }
    const flushedAt = new Map<number, Set<string>>()
    const registry = new MemorySymbolRegistry()
    const hub = new SymbolHub({
      clock: counted,
      log: createSilentLog(),
      registry,
      flushMs: 100,
      derivedMs: 1000,
      source: 'simulated',
      nodeId: 'n1',
      publish: (symbol, payload) => {
        if (!payload.includes('"type":"trade"')) return
        const at = flushedAt.get(clock.now()) ?? new Set<string>()
        flushedAt.set(clock.now(), at.add(symbol))
      },
    })
    hub.start()
    hub.setHolding(true)
    const symbols = ['AAPL', 'MSFT', 'NVDA']
    for (const s of symbols) registry.want(s)
    await flushPromises()
    expect(hub.wanted()).toEqual(symbols)
    // Each symbol trades every 10 ms at its own offset (3, 5, 7 ms): nothing arrives at a boundary.
    let q = 0
    for (let ms = 0; ms < 1000; ms++) {
      symbols.forEach((symbol, i) => {
        if (ms % 10 === 3 + 2 * i) hub.trades([{ symbol, p: 100 + (ms % 7), s: 100, t: clock.now(), q: ++q }])
      })
      clock.advance(1)
    }
    const timersBefore = timers
    const times = [...flushedAt.keys()].filter((t) => t >= 1_000_100)
    // After the first window every flush of every symbol falls on a boundary, all three together.
    expect(times.every((t) => t % 100 === 0)).toBe(true)
    expect(times.map((t) => [...flushedAt.get(t)!].sort())).toEqual(times.map(() => symbols))
    expect(times.length).toBeGreaterThanOrEqual(9)
    // One hub timer per boundary, not one per symbol.
    clock.advance(100)
    expect(timers - timersBefore).toBeLessThanOrEqual(2)
    hub.stop()
  })
})
