/** In-process Bus: the single-replica default; several MemoryBus on one MemoryBusHub simulate replicas in tests. */
import type { Bus, BusHandlerErrorListener, BusHealth, BusStats } from '../../ports/bus'
import { createNodeId } from '../node-id'

type Envelope = { from: MemoryBus; topic: string; payload: string }

/**
 * The shared "transport" of MemoryBus instances: delivers each message to every other bus
 * on the hub in one FIFO, drained in a microtask, so delivery is asynchronous like Redis
 * and per-topic order holds.
 */
export class MemoryBusHub {
  private readonly buses = new Set<MemoryBus>()
  private queue: Envelope[] = []
  private draining = false

  /** @internal */
  attach(bus: MemoryBus): void {
    this.buses.add(bus)
  }
  /** @internal */
  detach(bus: MemoryBus): void {
    this.buses.delete(bus)
  }
  /** @internal True when another bus could receive what `bus` publishes. */
  hasPeers(bus: MemoryBus): boolean {
    return this.buses.size > 1 || (this.buses.size === 1 && !this.buses.has(bus))
  }
  /** @internal */
  enqueue(envelope: Envelope): void {
    this.queue.push(envelope)
    if (!this.draining) {
      this.draining = true
      queueMicrotask(() => this.drain())
    }
  }

  private drain(): void {
    // Handlers may publish while we drain; those land in the new queue and are drained too.
    while (this.queue.length > 0) {
      const batch = this.queue
      this.queue = []
      for (const envelope of batch) {
        for (const bus of this.buses) {
          if (bus !== envelope.from && bus.nodeId !== envelope.from.nodeId) bus.receive(envelope.topic, envelope.payload)
        }
      }
    }
    this.draining = false
  }
}

export interface MemoryBusOptions {
  /** @default a random id (createNodeId) */
  nodeId?: string
  /** Share one hub between buses to simulate replicas in one process. @default a private hub */
  hub?: MemoryBusHub
  /** @default console.error */
  onHandlerError?: BusHandlerErrorListener
}

const okHealth: BusHealth = Object.freeze({ state: 'ok' })

/** Bus over a MemoryBusHub. Health is always ok; alone on its hub it delivers nothing (no other node). */
export class MemoryBus implements Bus {
  readonly nodeId: string
  private readonly hub: MemoryBusHub
  private readonly handlers = new Map<string, Set<(payload: string) => void>>()
  private readonly onHandlerError: BusHandlerErrorListener
  private readonly counters: BusStats = { published: 0, delivered: 0, dropped: 0 }
  private closed = false

  constructor(options: MemoryBusOptions = {}) {
    this.nodeId = options.nodeId ?? createNodeId()
    this.hub = options.hub ?? new MemoryBusHub()
    this.onHandlerError = options.onHandlerError ?? ((error, topic) => console.error(`bus handler for "${topic}" threw`, error))
    this.hub.attach(this)
  }

  /** Another bus is on the hub now (a single process's own bus never has one). */
  get shared(): boolean {
    return this.hub.hasPeers(this)
  }

  publish(topic: string, payload: string): void {
    if (this.closed) {
      this.counters.dropped++
      return
    }
    this.counters.published++
    if (this.hub.hasPeers(this)) this.hub.enqueue({ from: this, topic, payload })
  }

  subscribe(topic: string, handler: (payload: string) => void): () => void {
    if (this.closed) return () => {}
    let set = this.handlers.get(topic)
    if (set === undefined) this.handlers.set(topic, (set = new Set()))
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry = (payload: string) => handler(payload)
    set.add(entry)
    return () => {
      const current = this.handlers.get(topic)
      if (current === undefined || !current.delete(entry)) return
      if (current.size === 0) this.handlers.delete(topic)
    }
  }

  /** Delivery needs no transport round trip: a handler hears every message published after subscribe() returned. */
  subscribed(_topic: string): Promise<void> {
    return Promise.resolve()
  }

  settled(): Promise<void> {
    return Promise.resolve()
  }

  health(): BusHealth {
    return okHealth
  }

  onHealthChange(_listener: (health: BusHealth) => void): () => void {
    return () => {}
  }

  stats(): BusStats {
    return { ...this.counters }
  }

  async close(): Promise<void> {
    this.closed = true
    this.handlers.clear()
    this.hub.detach(this)
  }

  /** @internal Called by the hub with a message from another bus. */
  receive(topic: string, payload: string): void {
    const set = this.handlers.get(topic)
    if (set === undefined) return
    this.counters.delivered++
    for (const handler of set) {
      try {
        handler(payload)
      } catch (error) {
        this.onHandlerError(error, topic)
      }
    }
  }
}
