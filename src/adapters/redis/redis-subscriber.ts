/** Subscriber half of RedisBus: local handlers per topic, kept in line with SUBSCRIBEs on one dedicated connection (SSUBSCRIBEs on a cluster client). */
import type { RedisClient } from './connect'
import type { BusHandlerErrorListener } from '../../ports/bus'

export interface RedisTopicSubscriberOptions {
  /** `<prefix>:` — channel = channelPrefix + topic. */
  channelPrefix: string
  /** `<nodeId>|` — envelopes starting with it are this node's own echoes. */
  envelopePrefix: string
  /** Channels per SUBSCRIBE / UNSUBSCRIBE command. */
  batchSize: number
  onHandlerError: BusHandlerErrorListener
  /** Called when `resubscribing` changes. */
  onResubscribingChange: () => void
}

type Handler = (payload: string) => void

/** A promise that resolves when the connection closes; renewed per connection. */
function createSignal(): { promise: Promise<null>; fire: () => void } {
  let fire!: () => void
  const promise = new Promise<null>((resolve) => (fire = () => resolve(null)))
  return { promise, fire }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Owns the subscriber connection's channel set. The wanted set is "topics with ≥1 local
 * handler"; the acknowledged set is what Redis confirmed on the current connection (empty
 * after every reconnect). A single reconcile run at a time sends the difference as batched
 * SUBSCRIBE / UNSUBSCRIBE, so a storm of subscriptions in one tick costs one command.
 */
export class RedisTopicSubscriber {
  /** Messages from other nodes delivered to at least one handler. */
  delivered = 0
  /** True from a reconnect until every wanted topic is subscribed again. */
  resubscribing = false
  private readonly handlers = new Map<string, Set<Handler>>()
  private readonly acknowledged = new Set<string>()
  /** Topics whose UNSUBSCRIBE is on the wire: not confirmed even if wanted again meanwhile. */
  private readonly unsubscribing = new Set<string>()
  /** Callers of subscribed(topic) waiting for Redis to confirm the topic. */
  private readonly confirmWaiters = new Map<string, (() => void)[]>()
  private epoch = 0
  private closedSignal = createSignal()
  private reconcileQueued = false
  private reconciling = false
  private reconcileAgain = false
  private settleWaiters: (() => void)[] = []
  private stopped = false

  /** SSUBSCRIBE / SUNSUBSCRIBE and 'smessage' (a cluster client: sharded Pub/Sub). */
  private readonly sharded: boolean

  constructor(
    private readonly client: RedisClient,
    private readonly options: RedisTopicSubscriberOptions,
  ) {
    this.sharded = client.isCluster
    client.on(this.sharded ? 'smessage' : 'message', (channel: string, message: string) =>
      this.receive(channel, message),
    )
    client.on('ready', () => this.scheduleReconcile())
    client.on('close', () => this.connectionLost())
  }

  add(topic: string, handler: Handler): () => void {
    if (this.stopped) return () => {}
    let set = this.handlers.get(topic)
    if (set === undefined) {
      this.handlers.set(topic, (set = new Set()))
      this.scheduleReconcile()
    }
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry: Handler = (payload) => handler(payload)
    set.add(entry)
    return () => {
      const current = this.handlers.get(topic)
      if (current === undefined || !current.delete(entry)) return
      if (current.size === 0) {
        this.handlers.delete(topic)
        this.scheduleReconcile()
        this.resolveConfirmed()
      }
    }
  }

  /** Resolves once Redis has acknowledged the SUBSCRIBE of `topic` on the current connection (at once without a handler, or once stopped). */
  subscribed(topic: string): Promise<void> {
    if (this.confirmed(topic)) return Promise.resolve()
    return new Promise((resolve) => {
      const waiters = this.confirmWaiters.get(topic)
      if (waiters === undefined) this.confirmWaiters.set(topic, [resolve])
      else waiters.push(resolve)
    })
  }

  settled(): Promise<void> {
    if (this.stopped || this.isSynced()) return Promise.resolve()
    return new Promise((resolve) => this.settleWaiters.push(resolve))
  }

  /** Drops every handler and stops reconciling; the caller closes the connection. */
  stop(): void {
    this.stopped = true
    this.handlers.clear()
    this.resolveSettled()
    this.resolveConfirmed()
  }

  private receive(channel: string, message: string): void {
    if (message.startsWith(this.options.envelopePrefix)) return
    const topic = channel.slice(this.options.channelPrefix.length)
    const set = this.handlers.get(topic)
    const bar = message.indexOf('|')
    if (set === undefined || bar < 0) return
    const payload = message.slice(bar + 1)
    this.delivered++
    for (const handler of set) {
      try {
        handler(payload)
      } catch (error) {
        this.options.onHandlerError(error, topic)
      }
    }
  }

  private connectionLost(): void {
    this.epoch++
    this.acknowledged.clear()
    this.unsubscribing.clear()
    this.closedSignal.fire()
    this.closedSignal = createSignal()
    this.setResubscribing(this.handlers.size > 0)
  }

  private scheduleReconcile(): void {
    if (this.reconcileQueued || this.stopped) return
    this.reconcileQueued = true
    // Subscriptions made in the same tick go out together.
    queueMicrotask(() => {
      this.reconcileQueued = false
      void this.reconcile()
    })
  }

  private async reconcile(): Promise<void> {
    if (this.reconciling) {
      this.reconcileAgain = true
      return
    }
    this.reconciling = true
    let failed = false
    try {
      do {
        this.reconcileAgain = false
        failed = false
        if (this.stopped || this.client.status !== 'ready') break
        const toSubscribe = [...this.handlers.keys()].filter((topic) => !this.acknowledged.has(topic))
        const toUnsubscribe = [...this.acknowledged].filter((topic) => !this.handlers.has(topic))
        if (toSubscribe.length === 0 && toUnsubscribe.length === 0) break
        failed = !(await this.apply(toSubscribe, toUnsubscribe))
      } while (!failed || this.reconcileAgain)
    } finally {
      this.reconciling = false
    }
    // A command Redis refused while connected is retried later, not in a tight loop.
    if (failed && !this.stopped && this.client.status === 'ready') setTimeout(() => this.scheduleReconcile(), 1000).unref?.()
    if (this.isSynced()) {
      this.setResubscribing(false)
      this.resolveSettled()
    }
  }

  /** Sends batched SUBSCRIBE / UNSUBSCRIBE; true when all were acknowledged on this connection. */
  private async apply(toSubscribe: string[], toUnsubscribe: string[]): Promise<boolean> {
    const epoch = this.epoch
    const channels = (topics: string[]) => topics.map((topic) => this.options.channelPrefix + topic)
    const send = (command: 'subscribe' | 'unsubscribe', batch: string[]): Promise<unknown> => {
      if (!this.sharded) return this.client[command](...channels(batch))
      return command === 'subscribe' ? this.client.ssubscribe(...channels(batch)) : this.client.sunsubscribe(...channels(batch))
    }
    const batches = (topics: string[], command: 'subscribe' | 'unsubscribe', ack: (topic: string) => void) =>
      chunk(topics, this.options.batchSize).map((batch) =>
        send(command, batch).then(() => {
          if (epoch === this.epoch) for (const topic of batch) ack(topic)
        }),
      )
    for (const topic of toUnsubscribe) this.unsubscribing.add(topic)
    const unsubscribed = (topic: string) => {
      this.acknowledged.delete(topic)
      this.unsubscribing.delete(topic)
    }
    const commands = [
      ...batches(toSubscribe, 'subscribe', (topic) => this.acknowledged.add(topic)),
      ...batches(toUnsubscribe, 'unsubscribe', unsubscribed),
    ]
    // Callers of subscribed() go on as soon as their own batch is acknowledged.
    for (const command of commands) command.then(() => this.resolveConfirmed(), () => {})
    // A reply lost with its connection never settles; the close signal ends the wait instead.
    const results = await Promise.race([Promise.allSettled(commands), this.closedSignal.promise])
    // A refused UNSUBSCRIBE leaves the topic acknowledged (Redis still sends it) and is retried.
    if (epoch === this.epoch) for (const topic of toUnsubscribe) this.unsubscribing.delete(topic)
    return results !== null && results.every((result) => result.status === 'fulfilled')
  }

  /** Redis delivers `topic` to this connection now, or nothing is waiting for it to. */
  private confirmed(topic: string): boolean {
    if (this.stopped || !this.handlers.has(topic)) return true
    return this.client.status === 'ready' && this.acknowledged.has(topic) && !this.unsubscribing.has(topic)
  }

  private resolveConfirmed(): void {
    for (const [topic, waiters] of this.confirmWaiters) {
      if (!this.confirmed(topic)) continue
      this.confirmWaiters.delete(topic)
      for (const resolve of waiters) resolve()
    }
  }

  private isSynced(): boolean {
    if (this.client.status !== 'ready' || this.reconciling || this.reconcileQueued) return false
    if (this.acknowledged.size !== this.handlers.size) return false
    for (const topic of this.handlers.keys()) if (!this.acknowledged.has(topic)) return false
    return true
  }

  private setResubscribing(value: boolean): void {
    if (this.resubscribing === value) return
    this.resubscribing = value
    this.options.onResubscribingChange()
  }

  private resolveSettled(): void {
    const waiters = this.settleWaiters
    this.settleWaiters = []
    for (const resolve of waiters) resolve()
  }
}
