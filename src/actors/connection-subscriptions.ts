/** ConnectionSubscriptions: the symbols one connection is subscribed to and the channels each chose, kept attached to the replica's fan-out. */
import { defaultChannels } from '../contract/channels'
import type { Fanout, FanoutMember } from '../ports/fanout'

export class ConnectionSubscriptions {
  /** The subscribed symbols. */
  readonly symbols = new Set<string>()
  /** Channel masks of the subscriptions that chose other than the default set (contract/channels.ts); null while none did. */
  private chosenChannels: Map<string, number> | null = null

  constructor(
    private readonly member: FanoutMember,
    private readonly fanout: Fanout,
  ) {}

  /** The channels of one of this connection's subscriptions. */
  channelsOf(symbol: string): number {
    return this.chosenChannels?.get(symbol) ?? defaultChannels
  }

  /**
   * Adds the `fresh` ones of `symbols` with `channelMask` (default: trades, bars, snapshots);
   * symbols already subscribed move to `channelMask` when one is given. Each symbol added or moved
   * is attached to the fan-out with its channels; answers the channels each of them gained.
   */
  add(symbols: string[], fresh: string[], channelMask?: number): Map<string, number> {
    for (const s of fresh) this.symbols.add(s)
    const mask = channelMask ?? defaultChannels
    const gained = new Map<string, number>()
    for (const s of symbols) {
      const before = fresh.includes(s) ? 0 : this.channelsOf(s)
      if (!fresh.includes(s) && (channelMask === undefined || before === mask)) continue
      if (mask === defaultChannels) this.chosenChannels?.delete(s)
      else (this.chosenChannels ??= new Map()).set(s, mask)
      this.fanout.attach(this.member, s, mask)
      gained.set(s, mask & ~before)
    }
    return gained
  }

  /** Drops one subscription and detaches it from the fan-out. */
  remove(symbol: string): void {
    this.symbols.delete(symbol)
    this.chosenChannels?.delete(symbol)
    this.fanout.detach(this.member, symbol)
  }

  /** Detaches every subscription from the fan-out (the connection is going away). */
  detachAll(): void {
    for (const s of [...this.symbols]) this.fanout.detach(this.member, s)
  }
}
