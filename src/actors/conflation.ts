/** Conflation buffer of a slow consumer: the latest message per symbol and kind (per minute for bars), oldest first. */
import { messageTypeOf } from '../contract/protocol'

/**
 * Key under which a newer message replaces an older one: trades and snapshots per symbol;
 * bars per symbol and minute, so a closed minute's final bar is not replaced by the next
 * minute's live bar (but a live bar is replaced by its own final).
 */
export function conflationKey(symbol: string, payload: string): string {
  const type = messageTypeOf(payload)
  if (type !== 'bar' && type !== 'no_bar') return `${symbol}|${type}`
  const m = /"data":\{"t":(\d+)/.exec(payload)
  return `${symbol}|${type}|${m ? m[1] : ''}`
}

/** Latest-value-wins buffer. Its size is bounded by subscriptions × kinds (× minutes behind, for bars). */
export class ConflationBuffer {
  private readonly pending = new Map<string, string>()
  /** Messages replaced before they could be sent (the client sees the gap in seq). */
  replaced = 0

  offer(symbol: string, payload: string): void {
    const key = conflationKey(symbol, payload)
    if (this.pending.delete(key)) this.replaced++
    this.pending.set(key, payload)
  }

  /** Removes and returns everything, oldest first. */
  take(): string[] {
    const out = [...this.pending.values()]
    this.pending.clear()
    return out
  }

  /** Drops the messages of one symbol (it was unsubscribed). */
  forget(symbol: string): void {
    for (const key of [...this.pending.keys()]) if (key.startsWith(`${symbol}|`)) this.pending.delete(key)
  }

  get size(): number {
    return this.pending.size
  }
}
