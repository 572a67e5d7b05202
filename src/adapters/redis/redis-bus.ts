/** Redis Pub/Sub Bus: publisher + dedicated subscriber connection, `<prefix>:<topic>` channels, `nodeId|payload` envelopes; sharded Pub/Sub on a Redis Cluster. */
import Redis, { Cluster, type RedisOptions } from 'ioredis'
import type { RedisClient } from './connect'
import type { Bus, BusHandlerErrorListener, BusHealth, BusStats } from '../../ports/bus'
import { createNodeId } from '../node-id'
import { RedisTopicSubscriber } from './redis-subscriber'
import { RedisBusCanary } from './bus-canary'

/** Opens the bus's connection of a role (src/adapters/redis/connect.ts): on one server, behind Sentinel or on a cluster. */
export type RedisBusConnect = (role: 'bus-publisher' | 'bus-subscriber', options: RedisOptions) => RedisClient

export interface RedisBusOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`, for a single server; or `connect`. Nothing connects until the constructor runs. */
  url?: string
  /** Opens the two connections (the application's Redis factory: single, Sentinel or cluster); wins over `url`. */
  connect?: RedisBusConnect
  /** Namespace of every channel: `<prefix>:<topic>`, so deployments sharing a Redis never cross-talk. @default 'mw' */
  prefix?: string
  /** Must not contain '|'. @default a random id (createNodeId) */
  nodeId?: string
  /** Publishes kept while the publisher is not connected (oldest dropped beyond), sent on connect. @default 1000 */
  maxQueuedPublishes?: number
  /** Publishes written but not yet acknowledged; beyond it new publishes are dropped (Redis stalled). @default 20000 */
  maxInFlightPublishes?: number
  /** Channels per SUBSCRIBE / UNSUBSCRIBE command when (re)subscribing many topics (on a cluster one per SSUBSCRIBE: channels spread over slots). @default 1000 */
  subscribeBatchSize?: number
  /** Interval of the PING on both connections that lets socketTimeoutMs notice a stalled server. @default 2000 */
  pingIntervalMs?: number
  /** A connection that gets no reply for this long is dropped and reconnected. @default 5000 */
  socketTimeoutMs?: number
  /** How often the bus sends itself a canary (`<prefix>#canary:<nodeId>`) to prove delivery; 0 = never (health then trusts the connections). @default 2000 */
  canaryIntervalMs?: number
  /** A canary not back within this long makes health 'degraded' and reconnects both connections. @default 3000 */
  canaryTimeoutMs?: number
  /** @default console.error */
  onHandlerError?: BusHandlerErrorListener
  /** Extra ioredis options for both connections (retryStrategy, tls, password…). */
  redisOptions?: RedisOptions
}

type Role = 'publisher' | 'subscriber'

/**
 * Bus over Redis Pub/Sub (the socket.io redis adapter pattern). Beyond the Bus contract:
 * - envelopes are `nodeId|payload` (9 bytes of overhead with the default id);
 * - publishes are never queued inside ioredis: up to `maxQueuedPublishes` wait here while
 *   disconnected, and at most `maxInFlightPublishes` may await acknowledgement, so memory
 *   stays bounded during an outage; everything beyond is counted in `stats().dropped`;
 * - the subscriber re-subscribes all topics with local handlers after every reconnect, in
 *   batched SUBSCRIBE commands; health is 'ok' only when both connections are ready, that
 *   re-subscription has completed, and the bus's own canary has come back since the last
 *   (re)connect (RedisBusCanary): a subscriber that looks connected but no longer receives
 *   what is published (left on an old primary after a failover) turns health 'degraded'
 *   within canaryIntervalMs + canaryTimeoutMs, and the bus then reconnects both connections;
 * - on a Redis Cluster (a connect that returns a Cluster client) it uses sharded Pub/Sub:
 *   SPUBLISH goes to the primary owning the channel's slot only (classic PUBLISH is copied to
 *   every node), and the subscriber's client holds one SSUBSCRIBE connection per primary that
 *   owns a channel it wants. Channels carry no hash tag, so symbols spread over the shards.
 */
export class RedisBus implements Bus {
  readonly nodeId: string
  /** Every replica on the same Redis and prefix hears it. */
  readonly shared = true
  private readonly channelPrefix: string
  private readonly envelopePrefix: string
  private readonly pub: RedisClient
  private readonly sub: RedisClient
  /** SPUBLISH / SSUBSCRIBE (a cluster) instead of PUBLISH / SUBSCRIBE. */
  private readonly sharded: boolean
  private readonly topics: RedisTopicSubscriber
  private readonly canary: RedisBusCanary | null
  private lastHeal = 0
  /** Reconnects forced by a stalled canary (for tests and logs). */
  healed = 0
  private readonly maxQueued: number
  private readonly maxInFlight: number
  private readonly counters = { published: 0, dropped: 0 }
  private readonly healthListeners = new Set<(health: BusHealth) => void>()
  private readonly lastError: Record<Role, string> = { publisher: '', subscriber: '' }
  private queued: [channel: string, envelope: string][] = []
  private inFlight = 0
  private backlogged = false
  private pubEpoch = 0
  private lastState: BusHealth['state'] = 'degraded'
  private readonly pingTimer: ReturnType<typeof setInterval>
  private closed = false

  constructor(options: RedisBusOptions) {
    this.nodeId = options.nodeId ?? createNodeId()
    if (this.nodeId === '' || this.nodeId.includes('|')) throw new Error(`RedisBus: invalid nodeId "${this.nodeId}"`)
    const prefix = options.prefix ?? 'mw'
    this.channelPrefix = `${prefix}:`
    this.envelopePrefix = `${this.nodeId}|`
    this.maxQueued = options.maxQueuedPublishes ?? 1000
    this.maxInFlight = options.maxInFlightPublishes ?? 20_000
    const common: RedisOptions = {
      // Our own bounded queue and resubscription replace ioredis's unbounded ones.
      enableOfflineQueue: false,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      socketTimeout: options.socketTimeoutMs ?? 5000,
      ...options.redisOptions,
    }
    const connect: RedisBusConnect =
      options.connect ??
      ((_role, redisOptions) => {
        if (options.url === undefined) throw new Error('RedisBus: needs url or connect')
        return new Redis(options.url, redisOptions)
      })
    this.pub = connect('bus-publisher', { ...common, connectionName: `${prefix}:bus-pub:${this.nodeId}` })
    this.sub = connect('bus-subscriber', { ...common, connectionName: `${prefix}:bus-sub:${this.nodeId}` })
    this.sharded = this.pub.isCluster
    this.watch(this.pub, 'publisher')
    this.watch(this.sub, 'subscriber')
    this.topics = new RedisTopicSubscriber(this.sub, {
      channelPrefix: this.channelPrefix,
      envelopePrefix: this.envelopePrefix,
      // One SSUBSCRIBE names channels of one slot only.
      batchSize: this.sharded ? 1 : (options.subscribeBatchSize ?? 1000),
      onHandlerError:
        options.onHandlerError ?? ((error, topic) => console.error(`bus handler for "${topic}" threw`, error)),
      onResubscribingChange: () => this.updateHealth(),
    })
    this.pingTimer = setInterval(() => this.ping(), options.pingIntervalMs ?? 2000)
    this.pingTimer.unref?.()
    const canaryTimeoutMs = options.canaryTimeoutMs ?? 3000
    this.canary =
      (options.canaryIntervalMs ?? 2000) > 0
        ? new RedisBusCanary(this.pub, this.sub, {
            channel: `${prefix}#canary:${this.nodeId}`,
            intervalMs: options.canaryIntervalMs ?? 2000,
            timeoutMs: canaryTimeoutMs,
            onChange: () => this.updateHealth(),
            onStall: () => this.reconnect(canaryTimeoutMs),
          })
        : null
  }

  publish(topic: string, payload: string): void {
    if (this.closed) {
      this.counters.dropped++
      return
    }
    const channel = this.channelPrefix + topic
    const envelope = this.envelopePrefix + payload
    if (this.pub.status !== 'ready') {
      if (this.queued.push([channel, envelope]) > this.maxQueued) {
        this.queued.shift()
        this.counters.dropped++
      }
      return
    }
    // ioredis reports 'ready' a tick after it is ready: send what waited first, to keep order.
    if (this.queued.length > 0) this.flushQueued()
    this.send(channel, envelope)
  }

  subscribe(topic: string, handler: (payload: string) => void): () => void {
    return this.topics.add(topic, handler)
  }

  subscribed(topic: string): Promise<void> {
    return this.topics.subscribed(topic)
  }

  settled(): Promise<void> {
    return this.topics.settled()
  }

  health(): BusHealth {
    if (this.closed) return { state: 'degraded', reason: 'closed' }
    for (const [role, client] of [['publisher', this.pub], ['subscriber', this.sub]] as const) {
      if (client.status !== 'ready') {
        const error = this.lastError[role]
        return { state: 'degraded', reason: `redis ${role} ${client.status}${error ? `: ${error}` : ''}` }
      }
    }
    if (this.topics.resubscribing) return { state: 'degraded', reason: 'redis subscriber re-subscribing' }
    if (this.backlogged) return { state: 'degraded', reason: 'redis publisher backlogged (server not answering)' }
    const undelivered = this.canary?.reason() ?? null
    if (undelivered !== null) return { state: 'degraded', reason: undelivered }
    return { state: 'ok' }
  }

  onHealthChange(listener: (health: BusHealth) => void): () => void {
    this.healthListeners.add(listener)
    return () => this.healthListeners.delete(listener)
  }

  stats(): BusStats {
    const stats: BusStats = { ...this.counters, delivered: this.topics.delivered }
    if (this.canary) stats.canary = this.canary.stats()
    return stats
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.pingTimer)
    this.canary?.stop()
    this.topics.stop()
    this.healthListeners.clear()
    this.counters.dropped += this.queued.length
    this.queued = []
    await Promise.allSettled([quitOrDisconnect(this.pub), quitOrDisconnect(this.sub)])
  }

  private send(channel: string, envelope: string): void {
    if (this.inFlight >= this.maxInFlight) {
      this.counters.dropped++
      if (!this.backlogged) {
        this.backlogged = true
        this.updateHealth()
      }
      return
    }
    this.inFlight++
    this.counters.published++
    const epoch = this.pubEpoch
    const settle = () => {
      if (epoch !== this.pubEpoch) return
      this.inFlight--
      if (this.backlogged && this.inFlight <= this.maxInFlight / 2) {
        this.backlogged = false
        this.updateHealth()
      }
    }
    const published = this.sharded ? this.pub.spublish(channel, envelope) : this.pub.publish(channel, envelope)
    published.then(settle, () => {
      this.counters.dropped++
      settle()
    })
  }

  private flushQueued(): void {
    const queued = this.queued
    this.queued = []
    for (const [channel, envelope] of queued) this.send(channel, envelope)
  }

  private watch(client: RedisClient, role: Role): void {
    client.on('error', (error: Error) => {
      // An 'error' listener keeps ioredis from crashing the process; the state shows in health().
      this.lastError[role] = error.message
    })
    client.on('ready', () => {
      this.lastError[role] = ''
      if (role === 'publisher' && this.queued.length > 0 && this.pub.status === 'ready') this.flushQueued()
      this.updateHealth()
    })
    client.on('close', () => {
      if (role === 'publisher') {
        // Unacknowledged publishes of the lost connection are gone (at most once).
        this.pubEpoch++
        this.inFlight = 0
        this.backlogged = false
      }
      this.updateHealth()
    })
  }

  /**
   * Delivery stalled while both connections look up: drop and reopen both, so each asks again
   * where Redis is (behind Sentinel: the current primary). At most once per canary bound. On a
   * cluster the clients ask for the slot map again instead (sharded subscribers of nodes that are
   * no longer primaries, or unhealthy, are replaced): reopening everything would stop the shards
   * that still deliver, and a cluster client's reconnect can wait on the silent node.
   */
  private reconnect(spacingMs: number): void {
    const now = Date.now()
    if (this.closed || now - this.lastHeal < spacingMs) return
    this.lastHeal = now
    this.healed++
    for (const client of [this.pub, this.sub])
      if (client instanceof Cluster) client.refreshSlotsCache()
      else client.disconnect(true)
  }

  /** Gives socketTimeoutMs something to time out on when a server stalls without closing. */
  private ping(): void {
    for (const client of [this.pub, this.sub]) if (client.status === 'ready') client.ping().catch(() => {})
  }

  private updateHealth(): void {
    const health = this.health()
    if (health.state === this.lastState || this.closed) return
    this.lastState = health.state
    for (const listener of this.healthListeners) listener(health)
  }
}

/** Graceful QUIT when connected (sends what is written), otherwise an immediate disconnect; never throws. */
async function quitOrDisconnect(client: RedisClient): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect()
    return
  }
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref?.())
  await Promise.race([client.quit().catch(() => {}), timeout])
  // Re-read: the status moved on while we awaited.
  if ((client.status as string) !== 'end') client.disconnect()
}
