/** A test UpstreamFeed that emits as many trades as a test asks for, one frame each, to overwhelm slow consumers. */
import type { FeedHandlers, FeedSession, UpstreamFeed } from '../../src/ports/upstream'
import type { Trade } from '../../src/core/market-types'

export class FirehoseFeed implements UpstreamFeed {
  readonly name = 'simulated' as const
  private handlers: FeedHandlers | null = null
  private q = 0
  /** The last trade emitted per symbol. */
  readonly last = new Map<string, Trade>()

  open(handlers: FeedHandlers): FeedSession {
    this.handlers = handlers
    queueMicrotask(() => {
      handlers.status({ kind: 'connected' })
      handlers.status({ kind: 'authenticated' })
    })
    return {
      subscribe: () => {},
      unsubscribe: () => {},
      close: () => {
        if (this.handlers !== handlers) return
        this.handlers = null
        handlers.closed(1000, 'closed by client')
      },
    }
  }

  /** Emits `n` trades of `symbol` now, each in its own frame. */
  emit(symbol: string, n: number): void {
    for (let i = 0; i < n; i++) {
      const q = ++this.q
      const trade = { symbol, p: 100 + (q % 1000) / 100, s: 1 + (q % 7), t: Date.now(), q }
      this.last.set(symbol, trade)
      this.handlers?.trades([trade])
    }
  }
}
