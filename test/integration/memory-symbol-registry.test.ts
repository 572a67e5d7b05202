/** MemorySymbolRegistry against the SymbolRegistry contract (one process: both "replicas" are the same instance), plus its notice per burst of changes. */
import { describe, expect, it } from 'bun:test'
import { MemorySymbolRegistry } from '../../src/adapters/memory/memory-symbol-registry'
import { symbolRegistryContract } from '../contracts/symbol-registry.contract'
import { flushPromises } from '../support/wait'

symbolRegistryContract('MemorySymbolRegistry', async () => {
  const registry = new MemorySymbolRegistry()
  return { a: registry, b: registry, listening: async () => {}, close: () => registry.close() }
})

describe('MemorySymbolRegistry', () => {
  it('should report its own set as the union and notify once per burst of changes', async () => {
    const registry = new MemorySymbolRegistry()
    let notices = 0
    registry.onChange(() => notices++)
    registry.want('MSFT')
    registry.want('AAPL')
    registry.want('AAPL')
    await registry.flush()
    expect(await registry.wantedUnion()).toEqual(['AAPL', 'MSFT'])
    await flushPromises() // notices run in a microtask: every one due has run by now
    expect(notices).toBe(1)
    registry.unwant('MSFT')
    registry.unwant('NVDA')
    await flushPromises()
    expect(notices).toBe(2)
    expect(await registry.wantedUnion()).toEqual(['AAPL'])
    await registry.close()
    expect(await registry.wantedUnion()).toEqual([])
  })
})
