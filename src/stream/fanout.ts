/** LocalFanout: one replica's delivery of symbol messages to its sockets — Bun topics, bus subscriptions, conflation, last-value cache. */
import type { Bus } from '../ports/bus'
import type { Clock } from '../ports/clock'
import type { SymbolRegistry } from '../ports/symbol-registry'
import type { Fanout, FanoutMember } from '../ports/fanout'
import type { LiveSnapshot } from '../ports/live-snapshots'
import { messageTypeOf, symbolTopic } from '../contract/protocol'
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
 * marks the symbol wanted in the registry; the last one to leave undoes both.
 */
export class LocalFanout implements Fanout {
  private readonly entries = new Map<string, SymbolEntry>()
  private readonly snapshots = new Map<string, { payload: string; receivedAt: number }>()
  /** Bytes published to all topics so far: no member's buffer can grow by more than this between two checks. */
  private publishedBytes = 0
  /** Messages published to local topics so far, by kind. */
  private readonly publishedByKind: Record<string, number> = { trade: 0, bar: 0, snapshot: 0 }

  constructor(
    private readonly o: FanoutOptions,
    private readonly clock: Clock,
  ) {}

  attach(member: FanoutMember, symbol: string): void {
    let entry = this.entries.get(symbol)
    const first = entry === undefined
    if (entry === undefined) {
      const unsubscribeBus = this.o.bus.subscribe(symbolTopic(symbol), (batch) => {
        for (const payload of batch.split('\n')) this.deliver(symbol, payload)
      })
      entry = { members: new Set(), conflating: new Set(), unsubscribeBus, latest: new Map(), checkedAt: -Infinity }
      this.entries.set(symbol, entry)
    }
    if (entry.members.has(member)) return
    entry.members.add(member)
    if (member.conflating) entry.conflating.add(member)
    else member.subscribeTopic(symbolTopic(symbol))
    if (first) {
      this.o.registry.want(symbol)
      this.o.requestReplay(symbol)
    }
  }

  detach(member: FanoutMember, symbol: string): void {
    const entry = this.entries.get(symbol)
    if (entry === undefined || !entry.members.delete(member)) return
    entry.conflating.delete(member)
    member.unsubscribeTopic(symbolTopic(symbol))
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
      if (on) {
        member.unsubscribeTopic(symbolTopic(symbol))
        entry.conflating.add(member)
      } else {
        entry.conflating.delete(member)
        member.subscribeTopic(symbolTopic(symbol))
      }
    }
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
    const sent = this.o.publish(symbolTopic(symbol), payload)
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
    for (const member of entry.conflating) member.offer(symbol, payload)
  }

  /** The latest messages of a symbol (snapshot, bar, trade) for a member that just joined. */
  latest(symbol: string): string[] {
    return [...(this.entries.get(symbol)?.latest.values() ?? [])]
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
