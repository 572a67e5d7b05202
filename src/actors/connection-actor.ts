/** ConnectionActor: one WebSocket — its user and token (refreshable in-band), watchlist-scoped subscriptions, inbound limits, heartbeat deadline and bounded send buffer. */
import type { Principal } from '../ports/token-verifier'
import type { TokenRef } from '../core/revocation-list'
import type { WheelLinks } from '../core/deadline-wheel'
import { admitFrame, countError, createInboundPolicy, type InboundPolicy } from '../core/inbound-policy'
import {
  CloseCode,
  controlMessage,
  welcomeData,
  type CloseName,
  type ControlMessageType,
  type ProtocolError,
} from '../contract/protocol'
import type { RequestId } from '../contract/messages'
import type { Revocation } from '../core/revocation-list'
import type { FanoutMember } from '../ports/fanout'
import { Actor } from './actor'
import type { ConnectionContext, StreamSocket } from './connection-context'
import type { ConflatedDelivery } from './connection-delivery'
import { connectionSignals, type ConnectionMessage } from './connection-messages'
import { idOf, requestArrived, watchlistRemoved } from './connection-requests'
import { ConnectionSession } from './connection-session'
import { ConnectionSubscriptions } from './connection-subscriptions'
import { flushConflated, judgePressure, runSweep, scheduleSweep } from './connection-sweep'

export type { ConnectionContext, StreamLimits, StreamSocket, UpstreamHealthView } from './connection-context'
export { connectionSignals, type ConnectionMessage }

/** What a connection without subscriptions reports as its subscriptions. */
const noSubscriptions: ReadonlySet<string> = new Set()

/**
 * An idle connection is this object, its session and one entry in the replica's deadline wheel:
 * no closure, no timer, and no subscription set, inbound policy or delivery state until it needs
 * one (they are made on the first subscribe, the first frame and the first fall behind).
 *
 * What a client asks is answered in connection-requests.ts and the sweep runs in
 * connection-sweep.ts, as functions of the actor: the members marked @internal are theirs.
 */
export class ConnectionActor extends Actor<ConnectionMessage> implements FanoutMember, WheelLinks {
  /** Links of the replica's deadline wheel (its sweeps): written by the wheel only. */
  wheelSlot = Number.NaN
  wheelPrev: WheelLinks | null = null
  wheelNext: WheelLinks | null = null
  private subs: ConnectionSubscriptions | null = null
  /** Inbound limits, made at the first frame (a fresh policy is full, so making it late changes nothing). */
  private policy: InboundPolicy | null = null
  /** @internal */
  lastSeenAt: number
  /** @internal */
  nextPingAt: number
  /** @internal Set while the connection is behind and takes conflated delivery. */
  behind: ConflatedDelivery | null = null
  /** @internal */
  readonly session: ConnectionSession
  /** @internal */
  closingSince: number | null = null
  private holdsSlot = false
  private sweepQueued = false
  /** @internal What every connection of the replica shares. */
  readonly context: ConnectionContext

  constructor(
    readonly id: string,
    principal: Principal,
    /** @internal */
    readonly socket: StreamSocket,
    context: ConnectionContext,
  ) {
    super({ maxQueue: 4 * context.limits.messagesPerSecond + 16 })
    this.context = context
    const now = context.clock.now()
    this.session = new ConnectionSession(principal, now)
    this.lastSeenAt = now
    this.nextPingAt = now + context.limits.heartbeatMs
    scheduleSweep(this, now)
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
    const now = this.context.clock.now()
    this.lastSeenAt = now
    if (this.closing) return
    const { policy, verdict } = admitFrame(this.policy ?? this.freshPolicy(now), now)
    this.policy = policy
    if (verdict.kind === 'close') return this.closeWith('RATE_LIMITED', 'too many messages; reconnect after a pause')
    if (verdict.kind === 'refuse') {
      if (verdict.notify)
        this.reply('error', {
          code: 'RATE_LIMITED',
          message: `at most ${this.context.limits.messagesPerSecond} messages per second; this one was not processed`,
          details: { retry_after_ms: verdict.retryAfterMs },
        })
      return
    }
    if (!this.send({ type: 'frameAccepted', frame })) this.closeWith('RATE_LIMITED', 'too many messages waiting')
  }

  /** A pong (or any sign of life) arrived. */
  heard(): void {
    this.lastSeenAt = this.context.clock.now()
  }

  /** Its sweep deadline came: heartbeat, expiry and backpressure checks; at most one waits in the mailbox. */
  sweep(): void {
    if (this.sweepQueued) return
    this.sweepQueued = true
    if (this.send(connectionSignals.sweepDue)) return
    this.sweepQueued = false
    if (this.status !== 'stopped' && this.status !== 'failed')
      this.context.scheduleSweep(this, this.context.clock.now())
  }

  /** The socket closed (either side): release everything it held. */
  socketClosed(): void {
    this.closingSince ??= this.context.clock.now()
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
  checkPressure(now = this.context.clock.now()): void {
    if (!this.closing && this.behind === null) judgePressure(this, now)
  }

  /** Sends a control message straight to this socket (not through a topic). */
  reply(type: ControlMessageType, data: object): void {
    const now = this.context.clock.now()
    if (type === 'error') this.context.errorSent?.((data as { code: string }).code)
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
    this.closingSince = this.context.clock.now()
    const fields = { conn: this.id, userId: this.userId, close: name }
    if (name === 'SERVER_RESTART') this.context.log.debug('closing stream connection', fields)
    else this.context.log.info('closing stream connection', fields)
    this.reply('error', details ? { code: name, message, details } : { code: name, message })
    this.release()
    if (this.status !== 'failed') this.setStatus('stopping')
    this.socket.close(CloseCode[name], name)
    scheduleSweep(this, this.closingSince)
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
        return requestArrived(this, m.frame)
      case 'watchlistRemoved':
        return watchlistRemoved(this, m.ticker)
      case 'statusChanged':
        return this.sendStatus()
      case 'sweepDue':
        this.sweepQueued = false
        return runSweep(this)
      case 'drained':
        return flushConflated(this)
    }
  }

  private async admit(): Promise<void> {
    const { limits, counter } = this.context
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
    this.context.membershipChanged(this, true)
    // A sign-out published after the handshake's check but before the bus confirmed the user's
    // topic (the slot above and the SUBSCRIBE each take a Redis round trip) was not heard here:
    // once every later one is, ask the store once more. Asked earlier, a sign-out landing
    // between the answer and the confirmation would be missed until the token expired.
    await this.context.userEventsHeard(this.userId)
    if (this.closing) return
    if (await this.context.isRevoked(this.principal)) return this.tokenRevoked()
    if (this.closing) return
    this.sendStatus()
  }

  /**
   * @internal Adds the `fresh` ones of `symbols` and moves the others to `channelMask` when one
   * is given (ConnectionSubscriptions.add); answers the channels each gained.
   */
  addSubscriptions(symbols: string[], fresh: string[], channelMask?: number): Map<string, number> {
    // Made at the first subscription: an idle connection holds none.
    const subs = fresh.length > 0 ? (this.subs ??= new ConnectionSubscriptions(this, this.context.fanout)) : this.subs
    return subs?.add(symbols, fresh, channelMask) ?? new Map<string, number>()
  }

  /** @internal */
  drop(symbol: string): void {
    this.subs?.remove(symbol)
    this.behind?.forget(symbol)
  }

  /** @internal A message for this connection only (the latest values of a new subscription): kept for later while behind. */
  direct(symbol: string, payload: string): void {
    if (this.behind !== null) this.behind.offer(symbol, payload)
    else this.socket.send(payload)
  }

  private freshPolicy(now: number): InboundPolicy {
    const { limits, errorBudget, errorWindowMs } = this.context
    return createInboundPolicy({ messagesPerSecond: limits.messagesPerSecond, errorBudget, errorWindowMs }, now)
  }

  /** @internal Answers a refused request and counts it against the error budget (closes 4505 when it is spent). */
  refuse(error: ProtocolError, id: RequestId | undefined): void {
    this.reply('error', { ...error, ...idOf(id) })
    const now = this.context.clock.now()
    const { policy, exhausted } = countError(this.policy ?? this.freshPolicy(now), now)
    this.policy = policy
    if (exhausted) this.closeWith('POLICY_VIOLATION', 'too many protocol errors; fix the client before reconnecting')
  }

  /** @internal */
  sendStatus(): void {
    const { upstream, reason, quotes } = this.context.upstreamHealth()
    this.reply('status', {
      upstream,
      ...(reason ? { reason } : {}),
      ...(quotes ? { quotes } : {}),
      subscriptions: { used: this.subscriptions.size, max: this.context.limits.maxSubscriptions },
      connections: { used: this.context.userConnections(this.userId), max: this.context.limits.maxConnectionsPerUser },
      delivery: this.behind !== null ? 'conflated' : 'realtime',
    })
  }

  private release(): void {
    this.subs?.detachAll()
    this.subs = null
    this.behind = null
    if (this.holdsSlot) {
      this.holdsSlot = false
      void this.context.counter.release(String(this.userId), this.id)
      this.context.membershipChanged(this, false)
    }
  }

  /** A handler threw: the connection closes with 4500 rather than staying open on a failed actor. */
  protected override reportFailure(error: unknown): void {
    this.context.log.error('connection actor failed', { conn: this.id, error: String(error) })
    this.closeWith('INTERNAL_ERROR', 'the server failed on this connection')
  }
}
