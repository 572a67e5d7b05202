/** A connection's outbound path: Bun topics while the client keeps up, latest-value conflation while it falls behind, and when to give up. */
import { ConflationBuffer } from './conflation'

/** The part of a socket delivery needs. */
export interface DeliverySocket {
  send(text: string): number
  getBufferedAmount(): number
}

export interface DeliveryLimits {
  /** Buffered bytes above which delivery switches to conflation; it returns below half of it. */
  softBytes: number
  /** Buffered bytes above which the connection is closed at once (config.stream.sendBufferBytes). */
  hardBytes: number
  /** How long a connection may stay conflated before it is closed. */
  maxBehindMs: number
}

/** 'conflate' = just fell behind (leave the topics); 'overflow' / 'behind' = close 4002. */
export type PressureVerdict = 'ok' | 'conflate' | 'overflow' | 'behind'

/**
 * Memory per connection stays bounded: Bun's buffer up to `hardBytes`, then at most one
 * message per symbol and kind (per minute for bars) in the conflation buffer. Nothing is
 * skipped silently: the client sees `delivery: 'conflated'` and gaps in `seq`.
 */
export class ConnectionDelivery {
  private conflation: ConflationBuffer | null = null
  private conflatedSince = 0

  constructor(
    private readonly socket: DeliverySocket,
    private readonly limits: DeliveryLimits,
  ) {}

  get conflating(): boolean {
    return this.conflation !== null
  }

  /** A topic message while conflating: latest value wins. */
  offer(symbol: string, payload: string): void {
    this.conflation?.offer(symbol, payload)
  }

  /** A message for this connection only (e.g. latest values for a new subscription). */
  direct(symbol: string, payload: string): void {
    if (this.conflation) this.conflation.offer(symbol, payload)
    else this.socket.send(payload)
  }

  forget(symbol: string): void {
    this.conflation?.forget(symbol)
  }

  /** Judges the send buffer at `now`; a 'conflate' verdict has already switched to conflation. */
  check(now: number): PressureVerdict {
    const buffered = this.socket.getBufferedAmount()
    if (buffered > this.limits.hardBytes) return 'overflow'
    if (this.conflation === null) {
      if (buffered <= this.limits.softBytes) return 'ok'
      this.conflation = new ConflationBuffer()
      this.conflatedSince = now
      return 'conflate'
    }
    return now - this.conflatedSince > this.limits.maxBehindMs ? 'behind' : 'ok'
  }

  /**
   * Sends what conflation kept once the socket has drained below the low mark; true when it
   * stays drained and delivery returns to topics (the caller re-subscribes them at once).
   */
  flush(): boolean {
    const low = this.limits.softBytes / 2
    if (this.conflation === null || this.socket.getBufferedAmount() > low) return false
    for (const payload of this.conflation.take()) this.socket.send(payload)
    if (this.socket.getBufferedAmount() > low) return false
    this.conflation = null
    return true
  }

  /** Drops everything held (the connection closed). */
  reset(): void {
    this.conflation = null
  }
}
