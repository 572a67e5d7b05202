/** A symbol actor's outgoing side: stamps each message with the epoch and its seq (quotes count apart), serialises it once, publishes it, and keeps the latest of each kind for a late joiner. */
import type { ResetReason } from '../contract/messages'
import { marketMessage, messageTypeOf, type MarketMessageType } from '../contract/protocol'
import type { Outgoing } from '../core/coalesce'

/** What the actor sends: a coalesced message, or a minute announced empty. */
export type OutgoingMessage = Outgoing | { type: 'no_bar'; eventTs: number; data: { t: number } }

export interface SymbolPublisherOptions {
  symbol: string
  source: 'simulated' | 'massive'
  /** Receives every message exactly once, already serialised. */
  publish: (symbol: string, payload: string, type: MarketMessageType) => void
  /** A fresh epoch string (unique per actor start and per continuity loss). */
  newEpoch: () => string
}

export class SymbolPublisher {
  private seq = 0
  /** Quote messages count apart (their own seq in the same epoch), so subscriptions without quotes see no gaps. */
  private quoteSeq = 0
  private epochValue: string
  private readonly lastPayload = new Map<MarketMessageType, string>()

  constructor(private readonly o: SymbolPublisherOptions) {
    this.epochValue = o.newEpoch()
  }

  get epoch(): string {
    return this.epochValue
  }

  /** The seq of the last published message (0 before any). */
  get lastSeq(): number {
    return this.seq
  }

  /** A new epoch: both seqs start again and the old epoch's latest messages are forgotten. */
  newEpoch(): void {
    this.epochValue = this.o.newEpoch()
    this.seq = 0
    this.quoteSeq = 0
    this.lastPayload.clear()
  }

  emit(out: OutgoingMessage, now: number): void {
    const payload = marketMessage({
      type: out.type,
      symbol: this.o.symbol,
      seq: out.type === 'quote' ? ++this.quoteSeq : ++this.seq,
      epoch: this.epochValue,
      eventTs: out.eventTs,
      ts: now,
      source: this.o.source,
      data: out.data,
    })
    // A late joiner is sent the latest message of each kind; an old minute's `no_bar` tells it nothing.
    if (out.type !== 'no_bar') this.lastPayload.set(out.type, payload)
    this.o.publish(this.o.symbol, payload, out.type)
  }

  /** Publishes the `reset` that opens a new epoch (seq 1 after newEpoch); not kept for replay. */
  announceReset(reason: ResetReason, now: number): void {
    this.o.publish(
      this.o.symbol,
      marketMessage({
        type: 'reset',
        symbol: this.o.symbol,
        seq: ++this.seq,
        epoch: this.epochValue,
        eventTs: now,
        ts: now,
        source: this.o.source,
        data: { reason },
      }),
      'reset',
    )
  }

  /** Publishes the latest message of each kind again (a replica gained its first local subscriber). */
  replay(): void {
    for (const payload of this.lastPayload.values())
      this.o.publish(this.o.symbol, payload, messageTypeOf(payload) as MarketMessageType)
  }
}
