/** RedisSymbolRegistry: each replica's wanted symbols in an expiring per-node set; change notices over the Bus. */
import { slotKey, type RedisClient } from './connect'
import type { Bus } from '../../ports/bus'
import type { Clock, TimerHandle } from '../../ports/clock'
import { createSystemClock } from '../clock/system-clock'
import type { SymbolRegistry } from '../../ports/symbol-registry'
import { notifyOncePerTick } from '../notify-once-per-tick'

export interface RedisSymbolRegistryOptions {
  /** A command connection (shared is fine); the registry never closes it. */
  redis: RedisClient
  /** Carries change notices between replicas on topic `registry:wanted`; the registry never closes it. */
  bus: Bus
  /** Keys: `<prefix>:wanted:<nodeId>` (a set) and `<prefix>:wanted:nodes` (index); on a cluster `{<prefix>:wanted}:…`, one slot. @default 'mw' */
  prefix?: string
  /** @default bus.nodeId */
  nodeId?: string
  /** Life of this replica's set without a refresh; it is rewritten every ttlMs / 3. @default 30000 */
  ttlMs?: number
  /** While anyone listens, onChange also fires this often, to notice replicas that died (and whenever the bus recovers, as notices sent meanwhile are lost). @default ttlMs */
  pollIntervalMs?: number
  /** @default createSystemClock() */
  clock?: Clock
}

/** The Bus topic of change notices. */
const registryChangeTopic = 'registry:wanted'

/**
 * SymbolRegistry over Redis. Every write replaces this replica's whole set atomically
 * (MULTI: DEL, SADD, PEXPIRE, plus an index entry), so a failed or lost write is repaired
 * by the next one; a write runs after each change (coalesced per tick) and every ttlMs / 3.
 * The first write to succeed after a failed one is announced like a change.
 * A replica that stops writing drops out of the union ttlMs later.
 */
export class RedisSymbolRegistry implements SymbolRegistry {
  private readonly redis: RedisClient
  private readonly bus: Bus
  private readonly nodeId: string
  private readonly nodeKeyPrefix: string
  private readonly nodeKey: string
  private readonly indexKey: string
  private readonly ttlMs: number
  private readonly pollIntervalMs: number
  private readonly clock: Clock
  private readonly wanted = new Set<string>()
  private readonly listeners = new Set<() => void>()
  private unsubscribeBus: (() => void) | null = null
  private unlistenBusHealth: (() => void) | null = null
  private refreshTimer: TimerHandle | null = null
  private pollTimer: TimerHandle | null = null
  private writeQueued = false
  private writing = false
  private writeAgain = false
  /** The set changed since the last successful write: notify others after the next one. */
  private changed = false
  private flushWaiters: (() => void)[] = []
  private readonly notifyLocal = notifyOncePerTick(this.listeners)
  private closed = false

  constructor(options: RedisSymbolRegistryOptions) {
    const prefix = options.prefix ?? 'mw'
    this.redis = options.redis
    this.bus = options.bus
    this.nodeId = options.nodeId ?? options.bus.nodeId
    // The transaction and SUNION use every replica's set and the index together: one slot on a cluster.
    this.nodeKeyPrefix = slotKey(this.redis, `${prefix}:wanted`, ':')
    this.nodeKey = this.nodeKeyPrefix + this.nodeId
    this.indexKey = this.nodeKeyPrefix + 'nodes'
    this.ttlMs = options.ttlMs ?? 30_000
    this.pollIntervalMs = options.pollIntervalMs ?? this.ttlMs
    this.clock = options.clock ?? createSystemClock()
  }

  want(symbol: string): void {
    if (this.closed || this.wanted.has(symbol)) return
    this.wanted.add(symbol)
    this.changed = true
    this.scheduleWrite()
  }

  unwant(symbol: string): void {
    if (this.closed || !this.wanted.delete(symbol)) return
    this.changed = true
    this.scheduleWrite()
  }

  async wantedUnion(): Promise<string[]> {
    // Index entries are pruned generously late; an expired set simply contributes nothing.
    const replies = await this.redis
      .pipeline()
      .zremrangebyscore(this.indexKey, '-inf', this.clock.now() - this.ttlMs)
      .zrange(this.indexKey, '0', '-1')
      .exec()
    const [error, nodes] = replies?.[1] ?? [new Error('pipeline aborted'), null]
    if (error) throw error
    const nodeIds = nodes as string[]
    if (nodeIds.length === 0) return []
    const members = await this.redis.sunion(...nodeIds.map((id) => this.nodeKeyPrefix + id))
    return members.sort()
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    if (this.listeners.size === 1 && !this.closed) {
      this.unsubscribeBus = this.bus.subscribe(registryChangeTopic, () => this.notifyLocal())
      this.unlistenBusHealth = this.bus.onHealthChange((health) => health.state === 'ok' && this.notifyLocal())
      this.schedulePoll()
    }
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return
      this.stopListening()
    }
  }

  flush(): Promise<void> {
    if (this.closed || (!this.writeQueued && !this.writing && !this.changed)) return Promise.resolve()
    return new Promise((resolve) => this.flushWaiters.push(resolve))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stopListening()
    if (this.refreshTimer !== null) this.clock.clearTimeout(this.refreshTimer)
    this.resolveFlushed()
    try {
      await this.withTimeout(this.redis.multi().del(this.nodeKey).zrem(this.indexKey, this.nodeId).exec())
      this.bus.publish(registryChangeTopic, this.nodeId)
    } catch {
      // Unreachable: our set expires on its own within ttlMs.
    }
  }

  private scheduleWrite(): void {
    if (this.writeQueued) return
    this.writeQueued = true
    queueMicrotask(() => {
      this.writeQueued = false
      void this.write()
    })
  }

  /** Rewrites this replica's set; one write at a time, retried on failure. */
  private async write(): Promise<void> {
    if (this.closed) return
    if (this.writing) {
      this.writeAgain = true
      return
    }
    this.writing = true
    let failed = false
    try {
      do {
        this.writeAgain = false
        const announce = this.changed
        this.changed = false
        try {
          await this.withTimeout(this.writeCommands())
          if (announce && !this.closed) {
            this.bus.publish(registryChangeTopic, this.nodeId)
            this.notifyLocal()
          }
        } catch {
          // Announce after the repairing write: while ours was missing (Redis restarted empty,
          // or an expired set), the holder may have read a union without it.
          this.changed = true
          failed = true
        }
      } while (this.writeAgain && !failed && !this.closed)
    } finally {
      this.writing = false
    }
    if (this.closed) return
    // The next refresh doubles as the retry; a failure retries sooner.
    this.scheduleRefresh(failed ? Math.min(1000, this.ttlMs / 10) : this.ttlMs / 3)
    if (!failed && !this.writeQueued && !this.changed) this.resolveFlushed()
  }

  private async writeCommands(): Promise<void> {
    const members = [...this.wanted]
    const tx = this.redis.multi().del(this.nodeKey)
    if (members.length > 0) {
      tx.sadd(this.nodeKey, ...members)
        .pexpire(this.nodeKey, this.ttlMs)
        .zadd(this.indexKey, this.clock.now() + this.ttlMs, this.nodeId)
    } else {
      tx.zrem(this.indexKey, this.nodeId)
    }
    const results = await tx.exec()
    if (results === null) throw new Error('transaction aborted')
    for (const [error] of results) if (error) throw error
  }

  private scheduleRefresh(inMs: number): void {
    if (this.refreshTimer !== null) this.clock.clearTimeout(this.refreshTimer)
    this.refreshTimer = this.clock.setTimeout(
      () => {
        this.refreshTimer = null
        void this.write()
      },
      Math.max(1, Math.floor(inMs)),
    )
  }

  private schedulePoll(): void {
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = null
      if (this.listeners.size === 0 || this.closed) return
      this.notifyLocal()
      this.schedulePoll()
    }, this.pollIntervalMs)
  }

  private stopListening(): void {
    this.unsubscribeBus?.()
    this.unlistenBusHealth?.()
    this.unsubscribeBus = this.unlistenBusHealth = null
    if (this.pollTimer !== null) this.clock.clearTimeout(this.pollTimer)
    this.pollTimer = null
  }

  private resolveFlushed(): void {
    const waiters = this.flushWaiters
    this.flushWaiters = []
    for (const resolve of waiters) resolve()
  }

  /** A stalled Redis must not stall the registry: give up after a third of the ttl. */
  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new Error('registry write timed out')), this.ttlMs / 3)
      promise.then(
        (value) => (this.clock.clearTimeout(timer), resolve(value)),
        (error) => (this.clock.clearTimeout(timer), reject(error)),
      )
    })
  }
}
