/** ConnectionActor: one WebSocket — its user and token (refreshable in-band), watchlist-scoped subscriptions, inbound limits, heartbeat deadline and bounded send buffer. */
import type { Principal } from '../ports/token-verifier'
import type { TokenRef } from '../core/revocation-list'
import type { WheelLinks } from '../core/deadline-wheel'
import { isSilentTooLong, livenessDeadline } from '../core/heartbeat'
import { admitFrame, countError, createInboundPolicy, type InboundPolicy } from '../core/inbound-policy'
import {
  CloseCode,
  controlMessage,
  parseClientFrame,
  welcomeData,
  type CloseName,
  type ControlMessageType,
  type ProtocolError,
} from '../contract/protocol'
import type { RequestId } from '../contract/messages'
import { channelNames } from '../contract/channels'
import type { Revocation } from '../core/revocation-list'
import type { FanoutMember } from '../ports/fanout'
import { Actor } from './actor'
import type { ConnectionContext, StreamSocket } from './connection-context'
import { ConflatedDelivery, judgeSendBuffer } from './connection-delivery'
import { ConnectionSession } from './connection-session'
import { ConnectionSubscriptions } from './connection-subscriptions'

export type { ConnectionContext, StreamLimits, StreamSocket, UpstreamHealthView } from './connection-context'

export type ConnectionMessage =
  | { type: 'opened' }
  | { type: 'frameAccepted'; frame: string | Uint8Array }
  | { type: 'watchlistRemoved'; ticker: string }
  | { type: 'statusChanged' }
  | { type: 'sweepDue' }
  | { type: 'drained' }

/** The messages without a payload, one shared object each: a heartbeat sweep or a drain allocates nothing. */
export const connectionSignals = Object.freeze({
  opened: Object.freeze({ type: 'opened' }),
  statusChanged: Object.freeze({ type: 'statusChanged' }),
  sweepDue: Object.freeze({ type: 'sweepDue' }),
  drained: Object.freeze({ type: 'drained' }),
} as const)

/** What a connection without subscriptions reports as its subscriptions. */
const noSubscriptions: ReadonlySet<string> = new Set()

/**
 * An idle connection is this object, its session and one entry in the replica's deadline wheel:
 * no closure, no timer, and no subscription set, inbound policy or delivery state until it needs
 * one (they are made on the first subscribe, the first frame and the first fall behind).
 */
export class ConnectionActor extends Actor<ConnectionMessage> implements FanoutMember, WheelLinks {
  /** Links of the replica's deadline wheel (its sweeps): written by the wheel only. */
  wheelSlot = Number.NaN
  wheelPrev: WheelLinks | null = null
  wheelNext: WheelLinks | null = null
  private subs: ConnectionSubscriptions | null = null
  /** Inbound limits, made at the first frame (a fresh policy is full, so making it late changes nothing). */
  private policy: InboundPolicy | null = null
  private lastSeenAt: number
  private nextPingAt: number
  /** Set while the connection is behind and takes conflated delivery. */
  private behind: ConflatedDelivery | null = null
  private readonly session: ConnectionSession
  private closingSince: number | null = null
  private holdsSlot = false
  private sweepQueued = false
  private readonly c: ConnectionContext

  constructor(
    readonly id: string,
    principal: Principal,
    private readonly socket: StreamSocket,
    context: ConnectionContext,
  ) {
    super({ maxQueue: 4 * context.limits.messagesPerSecond + 16 })
    this.c = context
    const now = context.clock.now()
    this.session = new ConnectionSession(principal, now)
    this.lastSeenAt = now
    this.nextPingAt = now + context.limits.heartbeatMs
    this.scheduleSweep(now)
  }

  /** The symbols this connection is subscribed to. */
  get subscriptions(): ReadonlySet<string> {
    return this.subs?.symbols ?? noSubscriptions
  }

  /** The token the connection runs on now (an in-band refresh replaces it). */
  get principal(): TokenRef {
    return this.session.principal
  }
  get userId(): number {
    return this.session.userId
  }
  get conflating(): boolean {
    return this.behind !== null
  }
  get closing(): boolean {
    return this.closingSince !== null
  }

  /** A frame arrived: rate limits are applied at arrival, before the mailbox. */
  frameArrived(frame: string | Uint8Array): void {
    const now = this.c.clock.now()
    this.lastSeenAt = now
    if (this.closing) return
    const { policy, verdict } = admitFrame(this.policy ?? this.freshPolicy(now), now)
    this.policy = policy
    if (verdict.kind === 'close') return this.closeWith('RATE_LIMITED', 'too many messages; reconnect after a pause')
    if (verdict.kind === 'refuse') {
      if (verdict.notify)
        this.reply('error', {
          code: 'RATE_LIMITED',
          message: `at most ${this.c.limits.messagesPerSecond} messages per second; this one was not processed`,
          details: { retry_after_ms: verdict.retryAfterMs },
        })
      return
    }
    if (!this.send({ type: 'frameAccepted', frame })) this.closeWith('RATE_LIMITED', 'too many messages waiting')
  }

  /** A pong (or any sign of life) arrived. */
  heard(): void {
    this.lastSeenAt = this.c.clock.now()
  }

  /** Its sweep deadline came: heartbeat, expiry and backpressure checks; at most one waits in the mailbox. */
  sweep(): void {
    if (this.sweepQueued) return
    this.sweepQueued = true
    if (this.send(connectionSignals.sweepDue)) return
    this.sweepQueued = false
    if (this.status !== 'stopped' && this.status !== 'failed') this.c.scheduleSweep(this, this.c.clock.now())
  }

  /** The socket closed (either side): release everything it held. */
  socketClosed(): void {
    this.closingSince ??= this.c.clock.now()
    this.release()
    this.setStatus('stopped')
  }

  subscribeTopic(topic: string): void {
    this.socket.subscribe(topic)
  }
  unsubscribeTopic(topic: string): void {
    this.socket.unsubscribe(topic)
  }
  offer(symbol: string, payload: string): void {
    this.behind?.offer(symbol, payload)
  }
  /** Called synchronously by the fan-out when a publish met backpressure; touches only delivery state. */
  checkPressure(now = this.c.clock.now()): void {
    if (!this.closing && this.behind === null) this.judgePressure(now)
  }

  /** Sends a control message straight to this socket (not through a topic). */
  reply(type: ControlMessageType, data: object): void {
    const now = this.c.clock.now()
    if (type === 'error') this.c.errorSent?.((data as { code: string }).code)
    if (this.socket.send(controlMessage(type, data, now)) === -1) this.checkPressure(now)
  }

  /** A sign-out of this user was heard: closes the connection when it covers its current token (or the one a refresh is verifying). */
  revocationHeard(revocation: Revocation): void {
    if (this.session.covers(revocation)) this.tokenRevoked()
  }

  /** Its token was revoked (a sign-out): closes like an expired token, with `details.cause` naming TOKEN_REVOKED. */
  tokenRevoked(): void {
    this.closeWith('TOKEN_EXPIRED', 'this session was signed out; sign in again', { cause: 'TOKEN_REVOKED' })
  }

  /** Sends an error with the close name, then closes with its code; releases everything at once. */
  closeWith(name: CloseName, message: string, details?: Record<string, unknown>): void {
    if (this.closing) return
    this.closingSince = this.c.clock.now()
    const fields = { conn: this.id, userId: this.userId, close: name }
    if (name === 'SERVER_RESTART') this.c.log.debug('closing stream connection', fields)
    else this.c.log.info('closing stream connection', fields)
    this.reply('error', details ? { code: name, message, details } : { code: name, message })
    this.release()
    if (this.status !== 'failed') this.setStatus('stopping')
    this.socket.close(CloseCode[name], name)
    this.scheduleSweep(this.closingSince)
  }

  /** Drops the socket without a close handshake (it did not close in time). */
  terminate(): void {
    this.socket.terminate()
  }

  protected handle(m: ConnectionMessage): void | Promise<void> {
    if (this.closing && m.type !== 'sweepDue') return
    switch (m.type) {
      case 'opened':
        return this.admit()
      case 'frameAccepted':
        return this.onFrame(m.frame)
      case 'watchlistRemoved':
        return this.onWatchlistRemoved(m.ticker)
      case 'statusChanged':
        return this.sendStatus()
      case 'sweepDue':
        this.sweepQueued = false
        return this.onSweep()
      case 'drained':
        return this.flushConflated()
    }
  }

  private async admit(): Promise<void> {
    const { limits, counter } = this.c
    const ok = await counter.tryAcquire(String(this.userId), this.id, limits.maxConnectionsPerUser)
    if (this.closing) {
      if (ok) void counter.release(String(this.userId), this.id)
      return
    }
    if (!ok)
      return this.closeWith('CONNECTION_LIMIT', `at most ${limits.maxConnectionsPerUser} stream connections per user`)
    this.holdsSlot = true
    this.setStatus('running')
    this.reply('welcome', welcomeData(this.userId, this.session.expiresAt, limits))
    this.c.membershipChanged(this, true)
    // A sign-out published after the handshake's check but before the bus confirmed the user's
    // topic (the slot above and the SUBSCRIBE each take a Redis round trip) was not heard here:
    // once every later one is, ask the store once more. Asked earlier, a sign-out landing
    // between the answer and the confirmation would be missed until the token expired.
    await this.c.userEventsHeard(this.userId)
    if (this.closing) return
    if (await this.c.isRevoked(this.principal)) return this.tokenRevoked()
    if (this.closing) return
    this.sendStatus()
  }

  private async onFrame(frame: string | Uint8Array): Promise<void> {
    const parsed = parseClientFrame(frame, this.c.limits.maxMessageBytes)
    if (!parsed.ok) return this.refuse(parsed.error, parsed.id)
    const r = parsed.request
    if (r.action === 'ping') return this.reply('pong', r.id === undefined ? {} : { id: r.id })
    if (r.action === 'unsubscribe') return this.unsubscribe(r.symbols, r.id)
    if (r.action === 'refresh') return this.refresh(r.token, r.id)
    return this.subscribe(r.symbols, r.id, r.channelMask)
  }

  /** In-band refresh: a valid token of the same user moves the connection's expiry (and session) to it; a refused one changes nothing. */
  private async refresh(token: string, id: RequestId | undefined): Promise<void> {
    const outcome = await this.session.refresh(token, this.c.verifier, () => this.c.clock.now())
    if (this.closing) return
    if (!outcome.ok) return this.refuse(outcome.error, id)
    this.scheduleSweep(this.c.clock.now())
    this.reply('refreshed', { token_expires_at: this.session.expiresAt, ...idOf(id) })
  }

  /**
   * Subscribes the fresh symbols with `channelMask` (default: trades, bars, snapshots); symbols
   * already subscribed move to `channelMask` when one is given and get the latest messages of the
   * channels they gained.
   */
  private async subscribe(symbols: string[], id: RequestId | undefined, channelMask?: number): Promise<void> {
    const max = this.c.limits.maxSubscriptions
    const fresh = symbols.filter((s) => !this.subscriptions.has(s))
    if (this.subscriptions.size + fresh.length > max)
      return this.refuse(
        {
          code: 'SUBSCRIPTION_LIMIT',
          message: `at most ${max} subscriptions per connection; ${this.subscriptions.size} in use, ${fresh.length} requested`,
          details: { max, used: this.subscriptions.size, requested: fresh.length },
        },
        id,
      )
    let missing: string[]
    try {
      missing = await this.c.watchlist.missing(this.userId, fresh)
    } catch (e) {
      this.c.log.error('watchlist check failed', { error: String(e) })
      return this.reply('error', {
        code: 'INTERNAL_ERROR',
        message: 'could not check your watchlist; try again',
        ...idOf(id),
      })
    }
    if (this.closing) return
    if (missing.length > 0)
      return this.refuse(
        {
          code: 'NOT_IN_WATCHLIST',
          message: `not on your watchlist: ${missing.join(', ')}`,
          details: { symbols: missing },
        },
        id,
      )
    // Made at the first subscription: an idle connection holds none.
    const subs = fresh.length > 0 ? (this.subs ??= new ConnectionSubscriptions(this, this.c.fanout)) : this.subs
    const gained = subs?.add(symbols, fresh, channelMask) ?? new Map<string, number>()
    this.reply('subscribed', {
      symbols: this.symbolList(),
      added: fresh,
      removed: [],
      ...(channelMask === undefined ? {} : { channels: channelNames(channelMask) }),
      ...idOf(id),
    })
    for (const [s, bits] of gained) for (const payload of this.c.fanout.latest(s, bits)) this.direct(s, payload)
    if (fresh.length > 0) this.sendStatus()
  }

  private unsubscribe(symbols: string[], id: RequestId | undefined): void {
    const removed = symbols.filter((s) => this.subscriptions.has(s))
    for (const s of removed) this.drop(s)
    this.reply('subscribed', { symbols: this.symbolList(), added: [], removed, ...idOf(id) })
    if (removed.length > 0) this.sendStatus()
  }

  private onWatchlistRemoved(ticker: string): void {
    if (!this.subscriptions.has(ticker)) return
    this.drop(ticker)
    this.reply('subscribed', { symbols: this.symbolList(), added: [], removed: [ticker], reason: 'NOT_IN_WATCHLIST' })
    this.sendStatus()
  }

  private drop(symbol: string): void {
    this.subs?.remove(symbol)
    this.behind?.forget(symbol)
  }

  /** A message for this connection only (the latest values of a new subscription): kept for later while behind. */
  private direct(symbol: string, payload: string): void {
    if (this.behind !== null) this.behind.offer(symbol, payload)
    else this.socket.send(payload)
  }

  private freshPolicy(now: number): InboundPolicy {
    const { limits, errorBudget, errorWindowMs } = this.c
    return createInboundPolicy({ messagesPerSecond: limits.messagesPerSecond, errorBudget, errorWindowMs }, now)
  }

  private refuse(error: ProtocolError, id: RequestId | undefined): void {
    this.reply('error', { ...error, ...idOf(id) })
    const now = this.c.clock.now()
    const { policy, exhausted } = countError(this.policy ?? this.freshPolicy(now), now)
    this.policy = policy
    if (exhausted) this.closeWith('POLICY_VIOLATION', 'too many protocol errors; fix the client before reconnecting')
  }

  private sendStatus(): void {
    const { upstream, reason, quotes } = this.c.upstreamHealth()
    this.reply('status', {
      upstream,
      ...(reason ? { reason } : {}),
      ...(quotes ? { quotes } : {}),
      subscriptions: { used: this.subscriptions.size, max: this.c.limits.maxSubscriptions },
      connections: { used: this.c.userConnections(this.userId), max: this.c.limits.maxConnectionsPerUser },
      delivery: this.behind !== null ? 'conflated' : 'realtime',
    })
  }

  private onSweep(): void {
    const now = this.c.clock.now()
    const { heartbeatMs } = this.c.limits
    if (this.closing) {
      if (now - this.closingSince! > this.c.closeGraceMs) this.socket.terminate()
      else this.scheduleSweep(now)
      return
    }
    const due = this.session.due(now)
    if (due === 'expired') return this.closeWith('TOKEN_EXPIRED', 'your session expired; sign in again')
    if (due === 'notice') this.reply('token_expiring', { token_expires_at: this.session.expiresAt })
    if (isSilentTooLong(this.lastSeenAt, now, heartbeatMs))
      return this.closeWith('HEARTBEAT_TIMEOUT', `nothing heard for ${2 * heartbeatMs} ms`)
    if (now >= this.nextPingAt) {
      this.socket.ping()
      this.nextPingAt = now + heartbeatMs
    }
    this.judgePressure(now)
    this.flushConflated()
    if (!this.closing) this.scheduleSweep(now)
  }

  /**
   * Files this connection's next sweep: the next ping, the liveness deadline, the token's expiry
   * notice or its expiry, whichever is first (a refresh refiles it: the old expiry is gone); the
   * next tick while it is conflated (how long it stays behind); the end of the close grace while
   * closing. Between deadlines an idle connection costs nothing.
   */
  private scheduleSweep(now: number): void {
    let at: number
    if (this.closing) at = this.closingSince! + this.c.closeGraceMs + 1
    else if (this.behind !== null) at = now
    else
      at = Math.min(
        this.nextPingAt,
        livenessDeadline(this.lastSeenAt, this.c.limits.heartbeatMs) + 1,
        this.session.deadline(),
      )
    this.c.scheduleSweep(this, at)
  }

  private judgePressure(now: number): void {
    switch (judgeSendBuffer(this.socket.getBufferedAmount(), this.c, this.behind?.since ?? null, now)) {
      case 'overflow':
        return this.closeWith('SLOW_CONSUMER', 'the send buffer overflowed')
      case 'behind':
        return this.closeWith('SLOW_CONSUMER', `stayed behind for more than ${this.c.maxBehindMs} ms`)
      case 'conflate':
        this.behind = new ConflatedDelivery(now)
        this.c.fanout.setConflating(this, this.subscriptions, true)
        this.scheduleSweep(now)
        return this.sendStatus()
    }
  }

  private flushConflated(): void {
    if (this.closing || this.behind === null || !this.behind.flush(this.socket, this.c)) return
    this.behind = null
    // Synchronous with the flush: nothing can be published in between.
    this.c.fanout.setConflating(this, this.subscriptions, false)
    this.sendStatus()
  }

  private symbolList(): string[] {
    return [...this.subscriptions].sort()
  }

  private release(): void {
    this.subs?.detachAll()
    this.subs = null
    this.behind = null
    if (this.holdsSlot) {
      this.holdsSlot = false
      void this.c.counter.release(String(this.userId), this.id)
      this.c.membershipChanged(this, false)
    }
  }

  /** A handler threw: the connection closes with 4500 rather than staying open on a failed actor. */
  protected override reportFailure(error: unknown): void {
    this.c.log.error('connection actor failed', { conn: this.id, error: String(error) })
    this.closeWith('INTERNAL_ERROR', 'the server failed on this connection')
  }
}

function idOf(id: RequestId | undefined): { id?: RequestId } {
  return id === undefined ? {} : { id }
}
