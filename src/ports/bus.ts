/** Bus port: the bridge that carries already-serialised messages on named topics between replicas. */
import type { CanaryStats } from '../core/delivery-canary'

/** Transport health: 'degraded' means messages to and from other replicas may be lost right now. */
export interface BusHealth {
  state: 'ok' | 'degraded'
  /** Why the bus is degraded (e.g. "redis subscriber: connect ECONNREFUSED"); absent when ok. */
  reason?: string
}

/** Counters since the bus was built, for metrics and tests. */
export interface BusStats {
  /** Messages handed to the transport. */
  published: number
  /** Messages from other nodes delivered to at least one local handler. */
  delivered: number
  /** Messages given up on: published during an outage beyond the bounded queue, or backlogged. */
  dropped: number
  /** Delivery probes the transport sends to itself (RedisBus): sent, back within the bound, missed; absent where delivery cannot stall silently (MemoryBus). */
  canary?: CanaryStats
}

/**
 * A topic bus between replicas (Centrifuge `Broker`, socket.io adapter style). Contract:
 *
 * - **Cross-node only.** A handler receives messages published by OTHER nodes. A node's own
 *   messages are never looped back to it (echo suppression by `nodeId`), so the publisher
 *   does its local fan-out itself, synchronously, beside `publish()`: local delivery never
 *   waits on the transport. With a single process (MemoryBus alone) nothing is delivered,
 *   which is correct: there is no other node.
 * - **At most once.** A message reaches each other node zero or one times. During an outage
 *   messages are dropped (bounded buffering only), never retried later as duplicates. Callers
 *   that need gap-free streams stamp `seq` themselves and repair from REST.
 * - **Ordered per topic and publisher.** Messages one node publishes on one topic arrive at
 *   every other node in publish order. No order holds across topics or across publishers.
 * - **Subscribe on demand.** The bus subscribes at the transport only while a topic has at
 *   least one local handler, and re-subscribes every such topic after a reconnect. A message
 *   published before the transport confirmed a subscription may be missed: a caller that must
 *   not miss one (a sign-out) awaits `subscribed(topic)`, then reads the state it guards.
 * - **Never throws for outages.** `publish`, `subscribe` and unsubscribe return immediately
 *   and never throw because the transport is down; outages show in `health()`.
 * - Handlers run synchronously on the receive path and must be quick; a handler that
 *   throws is reported and does not affect other handlers or later messages.
 *
 * Callers must ensure topics are non-empty and payloads are strings they serialised.
 */
export interface Bus {
  /** This node's id, stamped on every envelope; unique per process. */
  readonly nodeId: string
  /**
   * Whether another node can hear what this one publishes (a transport between processes, or a
   * MemoryBus sharing its hub with another). False for a MemoryBus alone: a publisher may skip
   * building messages only other replicas would read, since nobody would receive them.
   */
  readonly shared: boolean
  /** Hand `payload` to the transport for `topic`; returns at once, never throws. */
  publish(topic: string, payload: string): void
  /**
   * Register `handler` for messages other nodes publish on `topic`; returns an idempotent
   * unsubscribe function. After it returns, the handler is never called again.
   */
  subscribe(topic: string, handler: (payload: string) => void): () => void
  /**
   * Resolves once the transport has confirmed this node's subscription to `topic` (Redis's
   * SUBSCRIBE reply; immediately for MemoryBus): every message another node publishes on it
   * after that reaches the handlers. Resolves at once when `topic` has no local handler or the
   * bus is closed. During an outage it waits for recovery, so callers bound the wait.
   */
  subscribed(topic: string): Promise<void>
  /**
   * Resolves once every subscribe/unsubscribe requested so far has taken effect at the
   * transport (immediately for MemoryBus). During an outage it waits for recovery.
   */
  settled(): Promise<void>
  health(): BusHealth
  /** Called on every change of `health().state`; returns a function that removes the listener. */
  onHealthChange(listener: (health: BusHealth) => void): () => void
  stats(): BusStats
  /** Unsubscribes everything and releases transport connections; later publishes are dropped. */
  close(): Promise<void>
}

/** Called when a handler throws; defaults to console.error. */
export type BusHandlerErrorListener = (error: unknown, topic: string) => void
