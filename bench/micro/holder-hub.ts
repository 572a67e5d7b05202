/** The micro benches' holder: a SymbolHub on a memory registry holding the given symbols at flush 100, publishing to a callback. */
import { MemorySymbolRegistry } from '../../src/adapters/memory/memory-symbol-registry'
import { SymbolHub } from '../../src/actors/symbol-hub'
import type { Clock } from '../../src/ports/clock'
import type { Logger } from '../../src/ports/logger'

const silentLog: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLog }

/** Starts a holding hub with an actor per symbol (resolves once they run). */
export async function holderHub(
  clock: Clock,
  symbols: string[],
  publish: (symbol: string, payload: string) => void,
  source: 'massive' | 'simulated' = 'massive',
): Promise<SymbolHub> {
  const registry = new MemorySymbolRegistry()
  const hub = new SymbolHub({ clock, log: silentLog, registry, flushMs: 100, source, nodeId: 'bench', publish })
  for (const s of symbols) registry.want(s)
  hub.start()
  hub.setHolding(true)
  await new Promise((r) => setTimeout(r, 50))
  if (hub.wanted().length !== symbols.length) throw new Error('hub did not spawn its actors')
  return hub
}
