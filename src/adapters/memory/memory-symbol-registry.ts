/** In-process SymbolRegistry: the single-replica default, where the union is simply this process's set. */
import type { SymbolRegistry } from '../../ports/symbol-registry'
import { notifyOncePerTick } from '../notify-once-per-tick'

/** Registry of one replica; change listeners run in a microtask after each real change. */
export class MemorySymbolRegistry implements SymbolRegistry {
  private readonly wanted = new Set<string>()
  private readonly listeners = new Set<() => void>()
  private readonly notify = notifyOncePerTick(this.listeners)
  private closed = false

  want(symbol: string): void {
    if (this.closed || this.wanted.has(symbol)) return
    this.wanted.add(symbol)
    this.notify()
  }

  unwant(symbol: string): void {
    if (this.wanted.delete(symbol)) this.notify()
  }

  async wantedUnion(): Promise<string[]> {
    return [...this.wanted].sort()
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true
    if (this.wanted.size > 0) {
      this.wanted.clear()
      this.notify()
    }
  }
}
