/** The stream's `market_status`: sent to each connection right after `welcome`, and once to every connection at each session change (one timer, one local topic). */
import type { MarketStatus } from '../core/market-status'
import { controlMessage } from '../contract/protocol'
import type { Clock, TimerHandle } from '../ports/clock'

/** Where the status comes from (the market-status service). */
export interface MarketStatusSource {
  view(): MarketStatus
  /** When the session next changes (UTC ms); null: never (the simulated market around the clock). */
  nextChangeAt(): number | null
  /** Called when the provider's word changed the calendar; returns the unsubscribe function. */
  onChange(listener: () => void): () => void
}

/** A welcomed connection: it is sent the status, then joins the topic. */
export interface MarketStatusMember {
  reply(type: 'market_status', data: object): void
  subscribeTopic(topic: string): void
}

/**
 * The Bun topic every live connection joins: session changes, and the stream's heartbeat on the
 * same topic (one subscription per socket, not two: each costs native memory for the socket's life).
 */
export const liveTopic = 'ctl:live'

/** Long timers are re-armed at least this often, so a clock that drifted (a suspended host) is caught up with. */
const MAX_TIMER_MS = 3_600_000

/**
 * A session is known by its market and when it ends: the timer fires at that instant, and a
 * change of either (the session moved on, or the provider's word moved the calendar) is published
 * once on the topic. A connection welcomed while the timer is late first has the change
 * published to the others, then gets the new status itself and joins: each connection sees each
 * change exactly once.
 */
export class MarketStatusBroadcast {
  private timer: TimerHandle | null = null
  private sessionKey: string | null = null
  private unsubscribe: (() => void) | null = null

  constructor(
    private readonly source: MarketStatusSource,
    private readonly clock: Clock,
    private readonly publish: (topic: string, payload: string) => void,
  ) {}

  start(): void {
    if (this.unsubscribe) return
    this.unsubscribe = this.source.onChange(() => this.check())
    this.sessionKey = this.keyOf(this.source.view())
    this.arm()
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
    if (this.timer) this.clock.clearTimeout(this.timer)
    this.timer = null
  }

  /** Sends the status to a connection just welcomed and subscribes it to later changes. */
  welcome(member: MarketStatusMember): void {
    const status = this.source.view()
    if (this.unsubscribe && this.keyOf(status) !== this.sessionKey) this.check()
    member.reply('market_status', status)
    member.subscribeTopic(liveTopic)
  }

  /** Publishes the status when the session changed since the last publish; re-arms the timer either way. */
  private check(): void {
    const status = this.source.view()
    const key = this.keyOf(status)
    if (key !== this.sessionKey) {
      this.sessionKey = key
      this.publish(liveTopic, controlMessage('market_status', status, this.clock.now()))
    }
    this.arm()
  }

  private arm(): void {
    if (this.timer) this.clock.clearTimeout(this.timer)
    this.timer = null
    const at = this.source.nextChangeAt()
    if (at === null) return
    const delay = Math.min(Math.max(0, at - this.clock.now()), MAX_TIMER_MS)
    this.timer = this.clock.setTimeout(() => {
      this.timer = null
      this.check()
    }, delay)
  }

  private keyOf(status: MarketStatus): string {
    return `${status.market}|${this.source.nextChangeAt()}`
  }
}
