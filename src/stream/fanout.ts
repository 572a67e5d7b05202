/** LocalFanout: one replica's delivery of symbol messages to its sockets — Bun topics, bus subscriptions, conflation, last-value cache. */
import type { Bus } from '../ports/bus'
import type { Clock } from '../ports/clock'
import type { SymbolRegistry } from '../ports/symbol-registry'
import type { Fanout, FanoutMember } from '../ports/fanout'
import type { LiveSnapshot } from '../ports/live-snapshots'
import { messageTypeOf, symbolTopic } from '../contract/protocol'
import { ChannelBit, channelBitOfType, channelNames, channelTopic, defaultChannels, quotesWantedEntry } from '../contract/channels'
import type { SnapshotData } from '../core/coalesce'

export interface FanoutOptions {
  bus: Bus
  registry: SymbolRegistry
  /** Bun's server.publish: bytes sent, -1 when some subscriber is under backpressure, 0 when dropped or none. */
  publish: (topic: string, payload: string) => number
  /** Ask the symbol's actor (here, or via the bus on the holder) to re-send its latest messages. */
  requestReplay: (symbol: string) => void
  /**
   * When a publish reports backpressure, the symbol's members have their buffers checked, but at
   * most once per this many bytes published (over all symbols): a member's buffer cannot grow by
   * more than that between checks, so half the conflation mark keeps every member far below Bun's
   * limit while a saturated server does not loop over every subscriber on every publish.
   */
  pressureCheckBytes: number
}

interface SymbolEntry {
  members: Set<FanoutMember>
  conflating: Set<FanoutMember>
  /** Members that chose channels other than the default set (contract/channels.ts), with their mask. */
  chosen: Map<FanoutMember, number>
  /** Chosen members per channel bit: a channel topic is published to only while someone is on it. */
  perChannel: Map<number, number>
  unsubscribeBus: () => void
  /** Latest payload per kind ('snapshot', 'bar', 'trade'), for late joiners and liveSnapshot. */
  latest: Map<string, string>
  /** `publishedBytes` when the members' buffers were last checked. */
  checkedAt: number
}

/**
 * Contract: `deliver` is called once per message per replica (from the local SymbolHub or from
 * the bus) and fans it out with one `server.publish` — no loop over sockets, except a buffer
 * check of the symbol's members when Bun reports backpressure (bounded by bytes) — plus one `offer` per
 * conflating member. The first local member of a symbol subscribes the bus topic and
 * marks the symbol wanted in the registry; the last one to leave undoes both. Likewise the first
 * member with the quotes channel marks the symbol's quotes wanted (quotesWantedEntry), and the
 * last one to drop it undoes that: the upstream streams quotes only for those.
 */
export class LocalFanout implements Fanout {
  private readonly entries = new Map<string, SymbolEntry>()
  private readonly snapshots = new Map<string, { payload: string; receivedAt: number }>()
  /** Bytes published to all topics so far: no member's buffer can grow by more than this between two checks. */
  private publishedBytes = 0
  /** Messages published to local topics so far, by kind. */
  private readonly publishedByKind: Record<string, number> = { trade: 0, bar: 0, snapshot: 0, quote: 0 }

  constructor(
    private readonly o: FanoutOptions,
    private readonly clock: Clock,
  ) {}

  attach(member: FanoutMember, symbol: string, channels: number = defaultChannels): void {
    let entry = this.entries.get(symbol)
    const first = entry === undefined
    if (entry === undefined) {
      const unsubscribeBus = this.o.bus.subscribe(symbolTopic(symbol), (batch) => {
        for (const payload of batch.split('\n')) this.deliver(symbol, payload)
      })
      entry = {
        members: new Set(),
        conflating: new Set(),
        chosen: new Map(),
        perChannel: new Map(),
        unsubscribeBus,
        latest: new Map(),
        checkedAt: -Infinity,
      }
      this.entries.set(symbol, entry)
    }
    if (entry.members.has(member)) return this.setChannels(member, symbol, channels)
    if (first) this.o.registry.want(symbol)
    entry.members.add(member)
    this.choose(symbol, entry, member, channels)
    if (member.conflating) entry.conflating.add(member)
    else for (const topic of topicsOf(symbol, channels)) member.subscribeTopic(topic)
    if (first) this.o.requestReplay(symbol)
  }

  detach(member: FanoutMember, symbol: string): void {
    const entry = this.entries.get(symbol)
    if (entry === undefined || !entry.members.delete(member)) return
    entry.conflating.delete(member)
    for (const topic of topicsOf(symbol, this.channelsOf(entry, member))) member.unsubscribeTopic(topic)
    this.choose(symbol, entry, member, defaultChannels)
    if (entry.members.size > 0) return
    entry.unsubscribeBus()
    this.entries.delete(symbol)
    this.snapshots.delete(symbol)
    this.o.registry.unwant(symbol)
  }

  /** Moves a member between topic delivery and conflation for the given symbols. */
  setConflating(member: FanoutMember, symbols: Iterable<string>, on: boolean): void {
    for (const symbol of symbols) {
      const entry = this.entries.get(symbol)
      if (entry === undefined || !entry.members.has(member)) continue
      const topics = topicsOf(symbol, this.channelsOf(entry, member))
      if (on) {
        for (const topic of topics) member.unsubscribeTopic(topic)
        entry.conflating.add(member)
      } else {
        entry.conflating.delete(member)
        for (const topic of topics) member.subscribeTopic(topic)
      }
    }
  }

  /** Changes the channels an attached member receives of `symbol` (its topics follow at once). */
  setChannels(member: FanoutMember, symbol: string, channels: number): void {
    const entry = this.entries.get(symbol)
    if (entry === undefined || !entry.members.has(member)) return
    const before = this.channelsOf(entry, member)
    if (before === channels) return
    if (!entry.conflating.has(member)) {
      for (const topic of topicsOf(symbol, before)) member.unsubscribeTopic(topic)
      for (const topic of topicsOf(symbol, channels)) member.subscribeTopic(topic)
    }
    this.choose(symbol, entry, member, channels)
  }

  /** The channel mask of a member of `entry`. */
  private channelsOf(entry: SymbolEntry, member: FanoutMember): number {
    return entry.chosen.get(member) ?? defaultChannels
  }

  /** Records a member's mask (the default set is not recorded) and the per-channel counts; the symbol's quotes are wanted while the quotes count is above 0. */
  private choose(symbol: string, entry: SymbolEntry, member: FanoutMember, channels: number): void {
    const quotesBefore = entry.perChannel.get(ChannelBit.quotes) ?? 0
    const before = entry.chosen.get(member)
    if (before !== undefined) for (const bit of bitsOf(before)) entry.perChannel.set(bit, entry.perChannel.get(bit)! - 1)
    if (channels === defaultChannels) entry.chosen.delete(member)
    else {
      entry.chosen.set(member, channels)
      for (const bit of bitsOf(channels)) entry.perChannel.set(bit, (entry.perChannel.get(bit) ?? 0) + 1)
    }
    const quotesAfter = entry.perChannel.get(ChannelBit.quotes) ?? 0
    if (quotesBefore === 0 && quotesAfter > 0) this.o.registry.want(quotesWantedEntry(symbol))
    else if (quotesBefore > 0 && quotesAfter === 0) this.o.registry.unwant(quotesWantedEntry(symbol))
  }

  /** One message for `symbol`, serialised once upstream; delivered to every local member. */
  deliver(symbol: string, payload: string): void {
    const entry = this.entries.get(symbol)
    if (entry === undefined) return
    const kind = messageTypeOf(payload)
    this.publishedByKind[kind] = (this.publishedByKind[kind] ?? 0) + 1
    // A reset (split) opens a new epoch: what was kept of the old one is on the old scale.
    if (kind === 'reset') (entry.latest.clear(), this.snapshots.delete(symbol))
    else entry.latest.set(kind, payload)
    if (kind === 'snapshot') this.snapshots.set(symbol, { payload, receivedAt: this.clock.now() })
    const bit = channelBitOfType(kind)
    // The default set is the symbol topic (quotes are not in it); chosen sets read channel topics, and
    // a message of no channel (a reset) goes to the `other` topic every chosen set is on.
    let sent = (bit & defaultChannels) !== 0 || bit === 0 ? this.o.publish(symbolTopic(symbol), payload) : 1
    if (entry.chosen.size > 0) {
      if (bit === 0) sent = Math.min(sent, this.o.publish(otherTopic(symbol), payload))
      else if ((entry.perChannel.get(bit) ?? 0) > 0) sent = Math.min(sent, this.o.publish(channelTopic(symbol, channelNames(bit)[0]!), payload))
    }
    // Bun skips (or, as configured, closes) subscribers above its backpressure limit: catch them long before that.
    this.publishedBytes += payload.length
    if (
      sent <= 0 &&
      entry.members.size > entry.conflating.size &&
      this.publishedBytes - entry.checkedAt >= this.o.pressureCheckBytes
    ) {
      entry.checkedAt = this.publishedBytes
      const now = this.clock.now()
      for (const member of entry.members) if (!member.conflating) member.checkPressure(now)
    }
    for (const member of entry.conflating)
      if (bit === 0 || (this.channelsOf(entry, member) & bit) !== 0) member.offer(symbol, payload)
  }

  /** The latest messages of a symbol (snapshot, bar, trade, quote) in the given channels, for a member that just joined them. */
  latest(symbol: string, channels: number = defaultChannels): string[] {
    const out: string[] = []
    for (const [kind, payload] of this.entries.get(symbol)?.latest ?? []) if ((channelBitOfType(kind) & channels) !== 0) out.push(payload)
    return out
  }

  /** The latest snapshot this replica received for a symbol it has subscribers for, or null. */
  liveSnapshot(symbol: string): LiveSnapshot | null {
    const entry = this.snapshots.get(symbol)
    if (entry === undefined) return null
    const { updated_at, ...rest } = (JSON.parse(entry.payload) as { data: SnapshotData }).data
    return { ...rest, updatedAt: updated_at, receivedAt: entry.receivedAt }
  }

  /** Messages (by kind) and bytes published to local topics since start: one per message, whatever its audience. */
  published(): { messages: Record<string, number>; bytes: number } {
    return { messages: { ...this.publishedByKind }, bytes: this.publishedBytes }
  }

  /** Symbols with local members, and how many each. */
  symbols(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [symbol, entry] of this.entries) out[symbol] = entry.members.size
    return out
  }
}

/**
 * Gathers the messages emitted for a symbol in one turn of the event loop and hands them over as
 * one batch (joined by newlines, which serialised JSON never contains), so one symbol event costs
 * one bus message whatever the number of message kinds it produced. Order is kept.
 */
export class BusBatch {
  private pending = new Map<string, string[]>()
  private scheduled = false
  constructor(private readonly send: (symbol: string, payloads: string[]) => void) {}

  add(symbol: string, payload: string): void {
    const list = this.pending.get(symbol)
    if (list) list.push(payload)
    else this.pending.set(symbol, [payload])
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    const batches = this.pending
    this.pending = new Map()
    for (const [symbol, payloads] of batches) this.send(symbol, payloads)
  }
}

/** Local topic of the messages of no channel (a reset) for members with chosen channels. */
const otherTopic = (symbol: string) => `sym:${symbol}#other`

/** The local topics a member with these channels is on: the symbol topic for the default set, else one per channel plus `other`. */
function topicsOf(symbol: string, channels: number): string[] {
  if (channels === defaultChannels) return [symbolTopic(symbol)]
  return [...channelNames(channels).map((c) => channelTopic(symbol, c)), otherTopic(symbol)]
}

/** The single bits of a mask. */
function bitsOf(mask: number): number[] {
  const out: number[] = []
  for (let bit = 1; bit <= mask; bit <<= 1) if ((mask & bit) !== 0) out.push(bit)
  return out
}
