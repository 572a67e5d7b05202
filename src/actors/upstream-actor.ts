/** UpstreamActor: supervises live FeedSessions — subscribes the wanted union, batches diffs, reconnects with backoff, reports its state. */
import type { Logger } from '../ports/logger'
import { backoff, type BackoffPolicy } from '../core/backoff'
import type { Clock, TimerHandle } from '../ports/clock'
import type { FeedSession, FeedStatusEvent, UpstreamFeed } from '../ports/upstream'
import type { LiveBar, Quote, Trade } from '../core/market-types'
import { Actor } from './actor'

/** 'idle' = this process does not hold the upstream. */
export type UpstreamState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed'

export interface UpstreamReport {
  state: UpstreamState
  /** Why the state is not 'connected' (last provider status or close), as a stable code and text. */
  reason?: { code: string; message: string }
  /** Sessions opened so far. */
  sessions: number
  /** Consecutive failed sessions (the backoff exponent). */
  attempt: number
  /** Symbols subscribed on the current session. */
  subscribed: number
  /** Whether the provider sends quotes: `unavailable` once it refused the quote channel (a plan without quotes); trades go on. */
  quotes?: 'available' | 'unavailable'
  /** The provider's refusal of the quote channel, when `quotes` is `unavailable`. */
  quotesReason?: { code: string; message: string }
}

/** Where feed events go (the SymbolHub). */
export interface UpstreamSink {
  trades(trades: Trade[]): void
  quotes?(quotes: Quote[]): void
  bars(bars: LiveBar[]): void
  /** A session after the first one authenticated: events in between may be lost. */
  continuityLost(): void
  /** The session ended: until the next one authenticates, events are missed. */
  interrupted?(): void
}

type UpstreamMessage =
  | { type: 'holdingChanged'; holding: boolean }
  | { type: 'wantedChanged' }
  | { type: 'batchDue' }
  | { type: 'retryDue' }
  | { type: 'tradesArrived'; gen: number; trades: Trade[] }
  | { type: 'quotesArrived'; gen: number; quotes: Quote[] }
  | { type: 'barsArrived'; gen: number; bars: LiveBar[] }
  | { type: 'feedStatus'; gen: number; event: FeedStatusEvent }
  | { type: 'sessionClosed'; gen: number; code: number; reason: string }

export interface UpstreamActorOptions {
  feed: UpstreamFeed
  clock: Clock
  log: Logger
  sink: UpstreamSink
  /** The symbols to hold subscribed (re-read after every wantedChanged). */
  wanted: () => string[]
  /** The symbols, among `wanted`, to hold quotes subscribed for (re-read with it). @default none */
  wantedQuotes?: () => string[]
  /** Called once if the actor fails (its supervisor replaces it). */
  onFailure?: (error: unknown) => void
  /** @default Math.random */
  random?: () => number
  /** @default { baseMs: 500, maxMs: 30_000, minMs: 100 } */
  backoff?: BackoffPolicy
  /** Subscription changes within this window go out as one subscribe and one unsubscribe. @default 50 */
  batchMs?: number
  /** A session must stay authenticated this long before the backoff resets (an eviction loop cannot spin). @default 30_000 */
  healthyAfterMs?: number
  /** Delay after auth_failed (a bad key will not fix itself quickly). @default 60_000 */
  authFailedRetryMs?: number
}

export class UpstreamActor extends Actor<UpstreamMessage> {
  private readonly o: UpstreamActorOptions
  private session: FeedSession | null = null
  private gen = 0
  private holding = false
  private authenticatedAt: number | null = null
  private everAuthenticated = false
  private authFailed = false
  private subscribed = new Set<string>()
  /** Symbols whose quotes the current session was asked for. */
  private quoted = new Set<string>()
  private batchTimer: TimerHandle | null = null
  private retryTimer: TimerHandle | null = null
  private readonly listeners = new Set<(report: UpstreamReport) => void>()
  private current: UpstreamReport = { state: 'idle', sessions: 0, attempt: 0, subscribed: 0 }

  constructor(options: UpstreamActorOptions) {
    super({
      maxQueue: 100_000,
      onFailure: (e) => {
        options.log.error('upstream actor failed', { error: String(e) })
        options.onFailure?.(e)
      },
    })
    this.o = options
    this.setStatus('running')
  }

  report(): UpstreamReport {
    return { ...this.current }
  }

  /** Listens to changes of state or reason; returns a function that removes the listener. */
  onReport(listener: (report: UpstreamReport) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Start (true) or stop (false) holding the upstream connection; later a Redis lease calls this. */
  hold(holding: boolean): void {
    this.send({ type: 'holdingChanged', holding })
  }

  /** The wanted set changed; the diff goes out after batchMs. */
  wantedChanged(): void {
    this.send({ type: 'wantedChanged' })
  }

  stop(): void {
    this.release()
    this.setStatus('stopped')
  }

  protected handle(m: UpstreamMessage): void {
    switch (m.type) {
      case 'holdingChanged':
        if (m.holding === this.holding) return
        this.holding = m.holding
        if (m.holding) this.open('connecting')
        else this.release()
        return
      case 'wantedChanged':
        this.batchTimer ??= this.o.clock.setTimeout(() => this.send({ type: 'batchDue' }), this.o.batchMs ?? 50)
        return
      case 'batchDue':
        this.batchTimer = null
        this.applyDiff()
        return
      case 'retryDue':
        this.retryTimer = null
        if (this.holding && this.session === null) this.open(this.authFailed ? 'failed' : 'reconnecting')
        return
    }
    if (m.gen !== this.gen) return // an old session's late event
    switch (m.type) {
      case 'tradesArrived':
        this.o.sink.trades(m.trades)
        return
      case 'quotesArrived':
        this.o.sink.quotes?.(m.quotes)
        return
      case 'barsArrived':
        this.o.sink.bars(m.bars)
        return
      case 'feedStatus':
        this.onFeedStatus(m.event)
        return
      case 'sessionClosed':
        if (m.gen === this.gen) this.o.sink.interrupted?.()
        this.onClosed(m.code, m.reason)
        return
    }
  }

  private open(state: UpstreamState): void {
    const gen = ++this.gen
    this.authenticatedAt = null
    this.subscribed = new Set()
    this.quoted = new Set()
    this.update({ state, sessions: this.current.sessions + 1, subscribed: 0 })
    this.session = this.o.feed.open({
      trades: (trades) => this.send({ type: 'tradesArrived', gen, trades }),
      quotes: (quotes) => this.send({ type: 'quotesArrived', gen, quotes }),
      bars: (bars) => this.send({ type: 'barsArrived', gen, bars }),
      status: (event) => this.send({ type: 'feedStatus', gen, event }),
      closed: (code, reason) => this.send({ type: 'sessionClosed', gen, code, reason }),
    })
  }

  private onFeedStatus(event: FeedStatusEvent): void {
    switch (event.kind) {
      case 'authenticated': {
        this.authFailed = false
        this.authenticatedAt = this.o.clock.now()
        const wanted = this.o.wanted()
        if (wanted.length > 0) this.session!.subscribe(wanted)
        this.subscribed = new Set(wanted)
        this.quoted = new Set(this.wantedQuotes())
        if (this.quoted.size > 0) this.session!.subscribeQuotes?.([...this.quoted])
        this.update({ state: 'connected', reason: undefined, subscribed: wanted.length })
        if (this.everAuthenticated) this.o.sink.continuityLost()
        this.everAuthenticated = true
        return
      }
      case 'auth_failed':
        this.authFailed = true
        this.update({ state: 'failed', reason: { code: 'UPSTREAM_AUTH_FAILED', message: event.message } })
        this.session?.close()
        return
      case 'quotes_unavailable':
        this.o.log.warn('upstream plan has no quotes; trades and bars go on', { message: event.message })
        this.update({ quotes: 'unavailable', quotesReason: { code: 'UPSTREAM_QUOTES_UNAVAILABLE', message: event.message } })
        return
      case 'max_connections':
      case 'force_disconnect':
      case 'slow_consumer':
      case 'error':
        this.o.log.warn('upstream feed status', { kind: event.kind, message: event.message })
        this.update({ reason: { code: `UPSTREAM_${event.kind.toUpperCase()}`, message: event.message } })
        return
      default:
        return
    }
  }

  private onClosed(code: number, reason: string): void {
    this.session = null
    this.subscribed = new Set()
    this.quoted = new Set()
    if (!this.holding) return
    const now = this.o.clock.now()
    const healthy = this.authenticatedAt !== null && now - this.authenticatedAt >= (this.o.healthyAfterMs ?? 30_000)
    const attempt = healthy ? 0 : this.current.attempt
    const delay = this.authFailed
      ? (this.o.authFailedRetryMs ?? 60_000)
      : backoff(attempt, this.o.random ?? Math.random, this.o.backoff)
    const closeReason = { code: 'UPSTREAM_CLOSED', message: `feed closed (${code}${reason ? `: ${reason}` : ''})` }
    this.update({
      state: this.authFailed ? 'failed' : 'reconnecting',
      reason: this.authFailed ? this.current.reason : (this.current.reason ?? closeReason),
      attempt: attempt + 1,
      subscribed: 0,
    })
    this.o.log.info('upstream feed closed; reconnecting', { code, reason, delayMs: delay, attempt: attempt + 1 })
    this.retryTimer = this.o.clock.setTimeout(() => this.send({ type: 'retryDue' }), delay)
  }

  private applyDiff(): void {
    if (this.session === null || this.authenticatedAt === null) return
    const wanted = new Set(this.o.wanted())
    const added = [...wanted].filter((s) => !this.subscribed.has(s))
    const removed = [...this.subscribed].filter((s) => !wanted.has(s))
    const quoted = new Set(this.wantedQuotes())
    const quotesAdded = [...quoted].filter((s) => !this.quoted.has(s))
    const quotesRemoved = [...this.quoted].filter((s) => !quoted.has(s))
    if (quotesRemoved.length > 0) this.session.unsubscribeQuotes?.(quotesRemoved)
    if (added.length > 0) this.session.subscribe(added)
    if (removed.length > 0) this.session.unsubscribe(removed)
    if (quotesAdded.length > 0) this.session.subscribeQuotes?.(quotesAdded)
    this.subscribed = wanted
    this.quoted = quoted
    if (added.length + removed.length > 0) this.update({ subscribed: wanted.size })
  }

  /** Quote symbols to hold: those of wantedQuotes that are also wanted. */
  private wantedQuotes(): string[] {
    const wanted = new Set(this.o.wanted())
    return (this.o.wantedQuotes?.() ?? []).filter((s) => wanted.has(s))
  }

  private release(): void {
    this.holding = false
    this.gen++
    const session = this.session
    this.session = null
    this.authenticatedAt = null
    this.subscribed = new Set()
    this.quoted = new Set()
    if (this.retryTimer) this.o.clock.clearTimeout(this.retryTimer)
    if (this.batchTimer) this.o.clock.clearTimeout(this.batchTimer)
    this.retryTimer = this.batchTimer = null
    session?.close()
    this.update({ state: 'idle', reason: undefined, attempt: 0, subscribed: 0 })
  }

  private update(patch: Partial<UpstreamReport>): void {
    const next = { ...this.current, ...patch }
    const changed =
      next.state !== this.current.state ||
      next.reason?.code !== this.current.reason?.code ||
      next.reason?.message !== this.current.reason?.message ||
      next.quotes !== this.current.quotes
    this.current = next
    if (changed) for (const listener of this.listeners) listener(this.report())
  }
}
