/** A connection's outbound path: Bun topics while the client keeps up, latest-value conflation while it falls behind, and when to give up. */
import { ConflationBuffer } from './conflation'

/** The part of a socket delivery needs. */
export interface DeliverySocket {
  send(text: string): number
  getBufferedAmount(): number
}

/** The bounds every connection of a replica shares (the ConnectionContext carries them, so no connection holds its own copy). */
export interface DeliveryLimits {
  /** Buffered bytes above which delivery switches to conflation; it returns below half of it. */
  softBufferBytes: number
  /** How long a connection may stay conflated before it is closed. */
  maxBehindMs: number
  /** `sendBufferBytes`: buffered bytes above which the connection is closed at once. */
  limits: { sendBufferBytes: number }
}

/** 'conflate' = just fell behind (leave the topics); 'overflow' / 'behind' = close 4002. */
export type PressureVerdict = 'ok' | 'conflate' | 'overflow' | 'behind'

/**
 * The verdict on a send buffer holding `buffered` bytes at `now`, for a connection on topics
 * (`behindSince` null) or conflating since `behindSince`. A connection that keeps up holds no
 * delivery state at all: only one that falls behind gets a ConflatedDelivery.
 */
export function judgeSendBuffer(
  buffered: number,
  limits: DeliveryLimits,
  behindSince: number | null,
  now: number,
): PressureVerdict {
  if (buffered > limits.limits.sendBufferBytes) return 'overflow'
  if (behindSince === null) return buffered <= limits.softBufferBytes ? 'ok' : 'conflate'
  return now - behindSince > limits.maxBehindMs ? 'behind' : 'ok'
}

/**
 * What a connection that fell behind holds until it catches up. Memory stays bounded: Bun's
 * buffer up to the hard bound, then at most one message per symbol and kind (per minute for bars)
 * here. Nothing is skipped silently: the client sees `delivery: 'conflated'` and gaps in `seq`.
 */
export class ConflatedDelivery {
  private readonly kept = new ConflationBuffer()

  /** @param since when the connection fell behind */
  constructor(readonly since: number) {}

  /** A message for the connection while it is behind: latest value wins. */
  offer(symbol: string, payload: string): void {
    this.kept.offer(symbol, payload)
  }

  forget(symbol: string): void {
    this.kept.forget(symbol)
  }

  /**
   * Sends what was kept once the socket has drained below half the conflation mark; true when
   * it stays drained, so delivery returns to topics (the caller re-subscribes them at once).
   */
  flush(socket: DeliverySocket, limits: DeliveryLimits): boolean {
    const low = limits.softBufferBytes / 2
    if (socket.getBufferedAmount() > low) return false
    for (const payload of this.kept.take()) socket.send(payload)
    return socket.getBufferedAmount() <= low
  }
}
