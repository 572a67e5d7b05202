/** Fan-out port: what a connection needs of its replica's delivery of symbol messages (join, leave, conflate); stream/fanout.ts implements it. */

/** A local connection as the fan-out sees it. */
export interface FanoutMember {
  /** Joins/leaves a Bun topic (server.publish reaches it). */
  subscribeTopic(topic: string): void
  unsubscribeTopic(topic: string): void
  /** True while the member reads too slowly and takes latest-value-wins delivery instead of topics. */
  readonly conflating: boolean
  /** Delivery while conflating: the member keeps only the latest message per symbol and kind. */
  offer(symbol: string, payload: string): void
  /** A publish reached this member's topic under backpressure: check its buffer now, not at the next sweep. */
  checkPressure(now: number): void
}

/**
 * Contract: after `attach(member, symbol)` every message of `symbol` delivered on this replica
 * in its channels reaches the member (through its topics, or `offer` while it conflates) until
 * `detach`; attaching twice only updates the channels. `setConflating` moves a member between topic delivery and `offer` for the
 * given symbols it is attached to. `latest` is what a late joiner is sent first.
 */
export interface Fanout {
  /** `channels`: the bits of contract/channels.ts (default: trades, bars and snapshots); attaching again changes them. */
  attach(member: FanoutMember, symbol: string, channels?: number): void
  detach(member: FanoutMember, symbol: string): void
  setConflating(member: FanoutMember, symbols: Iterable<string>, on: boolean): void
  /** The latest messages of a symbol (snapshot, bar, trade, quote) in `channels` (default set if absent) for a member that just joined them. */
  latest(symbol: string, channels?: number): string[]
}
