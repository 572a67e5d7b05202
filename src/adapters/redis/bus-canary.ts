/** RedisBusCanary: RedisBus publishes a numbered probe to itself on a schedule and expects it back on its subscriber connection, so "connected" is never taken for "delivering". */
import type { RedisClient } from './connect'
import { DeliveryCanary, type CanaryStats, type CanaryVerdict } from '../../core/delivery-canary'

export interface RedisBusCanaryOptions {
  /** This node's own probe channel, e.g. `mw#canary:<nodeId>`: outside `<prefix>:*`, heard by this node only. */
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
 */
export class RedisBusCanary {
  private readonly ledger: DeliveryCanary
  private subscribed = false
  private readonly timer: ReturnType<typeof setInterval>
  private readonly expiries = new Set<ReturnType<typeof setTimeout>>()
  private stopped = false

  constructor(
    private readonly pub: RedisClient,
    private readonly sub: RedisClient,
    private readonly options: RedisBusCanaryOptions,
  ) {
    this.ledger = new DeliveryCanary(options.timeoutMs)
    // On a cluster the probe goes the sharded way too (SPUBLISH to its channel's primary, 'smessage').
    sub.on(sub.isCluster ? 'smessage' : 'message', (channel: string, message: string) => {
      if (channel === options.channel) this.receive(message)
    })
    sub.on('ready', () => this.subscribe())
    for (const client of [pub, sub]) client.on('close', () => this.connectionLost(client))
    pub.on('ready', () => this.probe())
    this.timer = setInterval(() => this.probe(), options.intervalMs)
    this.timer.unref?.()
    if (sub.status === 'ready') this.subscribe()
  }

  get verdict(): CanaryVerdict {
    return this.ledger.verdict
  }

  /** Why delivery is not proven, for health(); null when it is. */
  reason(): string | null {
    switch (this.ledger.verdict) {
      case 'proven':
        return null
      case 'stalled':
        return `redis bus delivery stalled: a canary was not back within ${this.options.timeoutMs} ms though both connections are up`
      default:
        return 'redis bus: waiting for its first canary on this connection'
    }
  }

  stats(): CanaryStats {
    return this.ledger.stats()
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
    for (const expiry of this.expiries) clearTimeout(expiry)
    this.expiries.clear()
  }

  private subscribe(): void {
    const client = this.sub
    const subscribing = client.isCluster ? client.ssubscribe(this.options.channel) : client.subscribe(this.options.channel)
    subscribing.then(
      () => {
        if (this.stopped || client.status !== 'ready') return
        this.subscribed = true
        this.probe()
      },
      () => {}, // the next reconnect subscribes again
    )
  }

  private probe(): void {
    if (this.stopped || !this.subscribed || this.pub.status !== 'ready' || this.sub.status !== 'ready') return
    const seq = this.ledger.send(Date.now())
    const { channel } = this.options
    const published = this.pub.isCluster ? this.pub.spublish(channel, String(seq)) : this.pub.publish(channel, String(seq))
    published.catch(() => {})
    const expiry = setTimeout(() => {
      this.expiries.delete(expiry)
      this.expire()
    }, this.options.timeoutMs + 1)
    expiry.unref?.()
    this.expiries.add(expiry)
  }

  private receive(message: string): void {
    const before = this.ledger.verdict
    if (this.ledger.receive(Number(message), Date.now()) && before !== 'proven') this.options.onChange()
  }

  private expire(): void {
    if (this.stopped || !this.ledger.expire(Date.now())) return
    this.options.onChange()
    if (this.pub.status === 'ready' && this.sub.status === 'ready') this.options.onStall()
  }

  private connectionLost(client: RedisClient): void {
    if (client === this.sub) this.subscribed = false
    const before = this.ledger.verdict
    this.ledger.reset()
    if (before !== 'unproven') this.options.onChange()
  }
}
