/** RedisBusCanary: RedisBus publishes a numbered probe to itself on a schedule (on a cluster, to every shard) and expects it back on its subscriber connection, so "connected" is never taken for "delivering". */
import type { Cluster } from 'ioredis'
import type { RedisClient } from './connect'
import { DeliveryCanary, type CanaryStats, type CanaryVerdict } from '../../core/delivery-canary'
import { shardTags } from '../../core/hash-slot'

export interface RedisBusCanaryOptions {
  /** This node's own probe channel, e.g. `mw#canary:<nodeId>`: outside `<prefix>:*`, heard by this node only (on a cluster, `<channel>:{<tag>}` per shard). */
  channel: string
  /** How often a probe is sent while both connections are up. */
  intervalMs: number
  /** A probe not back within this long means delivery has stalled. */
  timeoutMs: number
  /** Called when the verdict changes (health changes with it). */
  onChange: () => void
  /** Called when delivery stalls while both connections look up (the bus reconnects them). */
  onStall: () => void
}

/**
 * The probe path is the real one: PUBLISH on the publisher connection, delivery on the
 * subscriber connection, both wherever their last (re)connect put them. It bypasses the bus's
 * echo suppression on purpose (its own channel, no envelope). A subscriber left on a server that
 * no longer gets the publishes (a Sentinel failover that kept an old primary's connection, a
 * partition) still looks connected; its probes stop coming back, and within `intervalMs +
 * timeoutMs` the verdict is 'stalled'. Every (re)connect of either connection forgets pending
 * probes and sends one at once: the verdict is 'unproven' until it returns.
 *
 * On a cluster each shard is proven on its own: one probe channel per primary (a hash tag the
 * slot map says that primary serves), SPUBLISH and SSUBSCRIBE, one ledger each; delivery is
 * proven when every shard's probe came back, stalled when any shard's did not. The channel set
 * follows the slot map at every probe, so a promoted replica gets its probe too.
 */
export class RedisBusCanary {
  /** Probe channel → its ledger, for the channels the subscriber has confirmed on this connection. */
  private readonly ledgers = new Map<string, DeliveryCanary>()
  /** Probe channel → the generation of its ledger: probes read `<generation>:<seq>`, so one sent for an older ledger never answers a newer one's. */
  private readonly generations = new Map<string, number>()
  private generation = 0
  /** Channels whose SUBSCRIBE is on the wire. */
  private readonly subscribing = new Set<string>()
  /** How many channels the last refresh wanted: until each is confirmed, delivery is not proven. */
  private wantedCount = 0
  private readonly sharded: boolean
  /** Bumped when the subscriber connection is lost: a late SUBSCRIBE reply of an older one is ignored. */
  private subEpoch = 0
  private readonly timer: ReturnType<typeof setInterval>
  private readonly expiries = new Set<ReturnType<typeof setTimeout>>()
  /** Counters of ledgers dropped with a channel no longer wanted (a topology change), kept in stats(). */
  private readonly retired: CanaryStats = { sent: 0, returned: 0, missed: 0, lastRoundTripMs: null }
  private stopped = false

  constructor(
    private readonly pub: RedisClient,
    private readonly sub: RedisClient,
    private readonly options: RedisBusCanaryOptions,
  ) {
    this.sharded = sub.isCluster
    sub.on(this.sharded ? 'smessage' : 'message', (channel: string, message: string) => {
      const ledger = this.ledgers.get(channel)
      const [generation, seq] = message.split(':')
      if (ledger !== undefined && Number(generation) === this.generations.get(channel)) this.receive(ledger, seq!)
    })
    sub.on('ready', () => this.subscribe())
    for (const client of [pub, sub]) client.on('close', () => this.connectionLost(client))
    pub.on('ready', () => this.probe())
    this.timer = setInterval(() => this.probe(), options.intervalMs)
    this.timer.unref?.()
    if (sub.status === 'ready') this.subscribe()
  }

  /** Stalled when any shard's probe is, proven when every shard's came back since the last (re)connect. */
  get verdict(): CanaryVerdict {
    let proven = this.ledgers.size > 0 && this.ledgers.size >= this.wantedCount
    for (const ledger of this.ledgers.values()) {
      if (ledger.verdict === 'stalled') return 'stalled'
      if (ledger.verdict !== 'proven') proven = false
    }
    return proven ? 'proven' : 'unproven'
  }

  /** Why delivery is not proven, for health(); null when it is. */
  reason(): string | null {
    const shards = this.sharded ? ` (${this.ledgers.size} shards probed)` : ''
    switch (this.verdict) {
      case 'proven':
        return null
      case 'stalled':
        return `redis bus delivery stalled: a canary was not back within ${this.options.timeoutMs} ms though both connections are up${shards}`
      default:
        return `redis bus: waiting for its first canary on this connection${shards}`
    }
  }

  stats(): CanaryStats {
    const total = { ...this.retired }
    for (const ledger of this.ledgers.values()) {
      const stats = ledger.stats()
      total.sent += stats.sent
      total.returned += stats.returned
      total.missed += stats.missed
      if (stats.lastRoundTripMs !== null) total.lastRoundTripMs = Math.max(total.lastRoundTripMs ?? 0, stats.lastRoundTripMs)
    }
    return total
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
    for (const expiry of this.expiries) clearTimeout(expiry)
    this.expiries.clear()
  }

  /** The probe channels now: the one channel on a server; on a cluster one per primary of the subscriber's slot map. */
  private wantedChannels(): string[] {
    if (!this.sharded) return [this.options.channel]
    const owners = (this.sub as Cluster).slots.map((nodes) => nodes?.[0])
    return shardTags(owners).map((tag) => `${this.options.channel}:{${tag}}`)
  }

  /** Subscribes the wanted channels not yet confirmed and forgets the ones no longer wanted; each newly confirmed one is probed at once. */
  private subscribe(): void {
    const client = this.sub
    if (this.stopped || client.status !== 'ready') return
    const wanted = this.wantedChannels()
    const wasVerdict = this.verdict
    this.wantedCount = wanted.length
    if (this.verdict !== wasVerdict) this.options.onChange()
    for (const channel of [...this.ledgers.keys()])
      if (!wanted.includes(channel)) {
        const before = this.verdict
        this.retire(channel)
        const unsubscribing = client.isCluster ? client.sunsubscribe(channel) : client.unsubscribe(channel)
        unsubscribing.catch(() => {})
        if (this.verdict !== before) this.options.onChange()
      }
    const epoch = this.subEpoch
    for (const channel of wanted) {
      if (this.ledgers.has(channel) || this.subscribing.has(channel)) continue
      this.subscribing.add(channel)
      const subscribing = client.isCluster ? client.ssubscribe(channel) : client.subscribe(channel)
      subscribing.then(
        () => {
          if (epoch !== this.subEpoch) return
          this.subscribing.delete(channel)
          if (this.stopped || client.status !== 'ready') return
          const before = this.verdict
          this.ledgers.set(channel, new DeliveryCanary(this.options.timeoutMs))
          this.generations.set(channel, ++this.generation)
          if (this.verdict !== before) this.options.onChange()
          this.probe(channel)
        },
        () => {
          if (epoch === this.subEpoch) this.subscribing.delete(channel) // the next probe round tries again
        },
      )
    }
  }

  /** Sends a probe on `only`, or (each interval) refreshes the channel set and probes every confirmed channel. */
  private probe(only?: string): void {
    if (this.stopped || this.pub.status !== 'ready' || this.sub.status !== 'ready') return
    if (only === undefined) this.subscribe()
    const now = Date.now()
    for (const [channel, ledger] of this.ledgers) {
      if (only !== undefined && channel !== only) continue
      const probe = `${this.generations.get(channel)}:${ledger.send(now)}`
      const published = this.pub.isCluster ? this.pub.spublish(channel, probe) : this.pub.publish(channel, probe)
      published.catch(() => {})
    }
    if (this.ledgers.size === 0) return
    const expiry = setTimeout(() => {
      this.expiries.delete(expiry)
      this.expire()
    }, this.options.timeoutMs + 1)
    expiry.unref?.()
    this.expiries.add(expiry)
  }

  private receive(ledger: DeliveryCanary, message: string): void {
    const before = this.verdict
    if (ledger.receive(Number(message), Date.now()) && this.verdict !== before) this.options.onChange()
  }

  private expire(): void {
    if (this.stopped) return
    const before = this.verdict
    const now = Date.now()
    for (const ledger of this.ledgers.values()) ledger.expire(now)
    const after = this.verdict
    if (after === before) return
    this.options.onChange()
    if (after === 'stalled' && this.pub.status === 'ready' && this.sub.status === 'ready') this.options.onStall()
  }

  private retire(channel: string): void {
    const stats = this.ledgers.get(channel)?.stats()
    this.ledgers.delete(channel)
    this.generations.delete(channel)
    if (stats === undefined) return
    this.retired.sent += stats.sent
    this.retired.returned += stats.returned
    this.retired.missed += stats.missed
  }

  private connectionLost(client: RedisClient): void {
    const before = this.verdict
    if (client === this.sub) {
      // Nothing is subscribed on the next connection: every channel is confirmed again.
      this.subEpoch++
      this.subscribing.clear()
      for (const channel of [...this.ledgers.keys()]) this.retire(channel)
    } else {
      for (const ledger of this.ledgers.values()) ledger.reset()
    }
    if (this.verdict !== before) this.options.onChange()
  }
}
