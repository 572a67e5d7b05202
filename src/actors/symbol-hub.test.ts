import { describe, expect, it } from 'bun:test'
import { MemorySymbolRegistry } from '../adapters/memory/memory-symbol-registry'
import { createSilentLog } from '../../test/support/silent-log'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { SymbolHub } from './symbol-hub'

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
  hub.onWantedChange(() => changes++)
  hub.start()
  return { clock, registry, hub, changes: () => changes }
}
const settle = () => Bun.sleep(0)

describe('SymbolHub', () => {
  it('should run one actor per wanted symbol only while holding', async () => {
    const { registry, hub, changes } = setup()
    registry.want('AAPL')
    await settle()
    expect(hub.wanted()).toEqual([])
    hub.setHolding(true)
    await settle()
    expect(hub.wanted()).toEqual(['AAPL'])
    registry.want('MSFT')
    await settle()
    expect(hub.wanted()).toEqual(['AAPL', 'MSFT'])
    expect(changes()).toBe(2)
    hub.setHolding(false)
    await settle()
    expect(hub.wanted()).toEqual([])
  })

  it('should keep an unwanted actor for the grace period and keep it when wanted again', async () => {
    const { clock, registry, hub } = setup()
    hub.setHolding(true)
    registry.want('AAPL')
    registry.want('MSFT')
    await settle()
    const aapl = hub.actor('AAPL')!
    registry.unwant('AAPL')
    registry.unwant('MSFT')
    await settle()
    clock.advance(4000)
    expect(hub.wanted()).toEqual(['AAPL', 'MSFT'])
    registry.want('AAPL')
    await settle()
    clock.advance(1000)
    expect(hub.wanted()).toEqual(['AAPL'])
    expect(hub.actor('AAPL')).toBe(aapl)
    expect(aapl.status).toBe('running')
  })

  it('should route trades to their actors, splitting mixed frames', async () => {
    const seen: string[] = []
    const { registry, hub } = setup((symbol, payload) => seen.push(`${symbol}:${JSON.parse(payload).type}`))
    hub.setHolding(true)
    registry.want('AAPL')
    registry.want('MSFT')
    await settle()
    hub.trades([
      { symbol: 'AAPL', p: 1, s: 1, t: 1, q: 1 },
      { symbol: 'MSFT', p: 2, s: 1, t: 1, q: 2 },
      { symbol: 'TSLA', p: 3, s: 1, t: 1, q: 3 },
    ])
    expect(seen.filter((s) => s.endsWith(':trade'))).toEqual(['AAPL:trade', 'MSFT:trade'])
  })

  it('should replace a failed actor with a fresh one in a new epoch', async () => {
    let fail = true
    const { registry, hub } = setup(() => {
      if (fail) {
        fail = false
        throw new Error('publish failed')
      }
    })
    hub.setHolding(true)
    registry.want('AAPL')
    await settle()
    const first = hub.actor('AAPL')!
    hub.trades([{ symbol: 'AAPL', p: 1, s: 1, t: 1, q: 1 }])
    expect(first.status).toBe('failed')
    const second = hub.actor('AAPL')!
    expect(second).not.toBe(first)
    expect(second.epoch).not.toBe(first.epoch)
    expect(second.status).toBe('running')
    expect(hub.restarts).toBe(1)
  })
})
