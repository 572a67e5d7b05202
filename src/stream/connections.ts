/** ConnectionRegistry: a replica's live connections, indexed by user, with the per-user bus topic that carries watchlist removals and sign-outs. */
import type { Logger } from '../ports/logger'
import { connectionSignals, type ConnectionActor, type ConnectionMessage } from '../actors/connection-actor'
import { DeadlineWheel } from '../core/deadline-wheel'
import { userTopic } from '../contract/protocol'
import type { Revocation } from '../core/revocation-list'
import type { Bus } from '../ports/bus'
import type { Clock, TimerHandle } from '../ports/clock'

/** Events for one user's connections on every replica (bus topic `user:<id>`). */
export type UserEvent =
  { type: 'watchlist_removed'; ticker: string } | { type: 'session_revoked'; revocation: Revocation }

interface UserEntry {
  conns: Set<ConnectionActor>
  unsubscribeBus: () => void
}

/** Connection-count changes of one user reach the user's other connections at most this often (a reconnect storm of n tabs costs O(n) statuses per window, not O(n²)). */
export const userStatusCoalesceMs = 250

export class ConnectionRegistry {
  /**
   * Connections outside the user index: before admission, refused, or closing after they released
   * their slot. An admitted connection is only in its user's set: one set entry per connection, not two.
   */
  private readonly unindexed = new Set<ConnectionActor>()
  private indexed = 0
  private readonly sweeps: DeadlineWheel<ConnectionActor>
  private readonly users = new Map<number, UserEntry>()
  /** Users whose connections are due a status, with the timer that sends it. */
  private readonly statusDue = new Map<number, TimerHandle>()
  /** Per user, the connection whose admission was the last change: its own admission status is already current. */
  private readonly lastAdmitted = new Map<number, ConnectionActor>()

  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly clock: Clock,
    sweepTickMs: number,
    /** Told every sign-out heard from another replica (the revocation store keeps a local copy). */
    private readonly revocationHeard: (revocation: Revocation) => void = () => {},
  ) {
    this.sweeps = new DeadlineWheel(sweepTickMs, clock.now())
  }

  add(conn: ConnectionActor): void {
    this.unindexed.add(conn)
  }

  /** The socket closed: the connection has released its slot (it is no longer in the user index). */
  remove(conn: ConnectionActor): void {
    this.unindexed.delete(conn)
    this.sweeps.cancel(conn)
  }

  /** Files a connection's next sweep (its earliest deadline: ping, liveness, token expiry). */
  scheduleSweep(conn: ConnectionActor, at: number): void {
    this.sweeps.schedule(conn, at)
  }

  /** Sweeps the connections whose deadline has come; the others are not visited. */
  sweepDue(now: number): void {
    for (const conn of this.sweeps.takeDue(now)) conn.sweep()
  }

  /** Admitted (true) or released (false): keeps the per-user index and tells the user's connections their quota changed (coalesced). */
  membershipChanged(conn: ConnectionActor, live: boolean): void {
    const userId = conn.userId
    let entry = this.users.get(userId)
    if (live) {
      if (entry === undefined) {
        const unsubscribeBus = this.bus.subscribe(userTopic(userId), (payload) => this.onBusEvent(userId, payload))
        this.users.set(userId, (entry = { conns: new Set(), unsubscribeBus }))
      }
      if (!entry.conns.has(conn)) {
        entry.conns.add(conn)
        this.unindexed.delete(conn)
        this.indexed++
      }
    } else {
      if (entry === undefined || !entry.conns.delete(conn)) return
      this.indexed--
      this.unindexed.add(conn)
      if (entry.conns.size === 0) {
        entry.unsubscribeBus()
        this.users.delete(userId)
      }
    }
    if (live) this.lastAdmitted.set(userId, conn)
    else this.lastAdmitted.delete(userId)
    if (this.statusDue.has(userId)) return
    const timer = this.clock.setTimeout(() => {
      this.statusDue.delete(userId)
      const current = this.lastAdmitted.get(userId)
      this.lastAdmitted.delete(userId)
      for (const c of this.users.get(userId)?.conns ?? []) if (c !== current) c.send(connectionSignals.statusChanged)
    }, userStatusCoalesceMs)
    this.statusDue.set(userId, timer)
  }

  /** Cancels pending status rounds (shutdown). */
  close(): void {
    for (const timer of this.statusDue.values()) this.clock.clearTimeout(timer)
    this.statusDue.clear()
    this.lastAdmitted.clear()
  }

  /** Resolves once the bus has confirmed the user's topic: every sign-out published after that is heard here. */
  userTopicSubscribed(userId: number): Promise<void> {
    return this.bus.subscribed(userTopic(userId))
  }

  userConnections(userId: number): number {
    return this.users.get(userId)?.conns.size ?? 0
  }

  /** Publishes a user event to other replicas and delivers it to this replica's connections of the user. */
  publishUserEvent(userId: number, event: UserEvent): void {
    this.bus.publish(userTopic(userId), JSON.stringify(event))
    this.deliver(userId, event)
  }

  broadcast(message: ConnectionMessage): void {
    for (const conn of this.connections()) conn.send(message)
  }

  *connections(): IterableIterator<ConnectionActor> {
    yield* this.unindexed
    for (const { conns } of this.users.values()) yield* conns
  }

  get size(): number {
    return this.unindexed.size + this.indexed
  }

  get userCount(): number {
    return this.users.size
  }

  private onBusEvent(userId: number, payload: string): void {
    let event: UserEvent
    try {
      event = JSON.parse(payload) as UserEvent
    } catch {
      this.log.warn('unreadable user event on the bus', { userId })
      return
    }
    if (event.type === 'session_revoked') this.revocationHeard(event.revocation)
    this.deliver(userId, event)
  }

  private deliver(userId: number, event: UserEvent): void {
    const conns = this.users.get(userId)?.conns
    if (conns === undefined) return
    if (event.type === 'watchlist_removed')
      for (const conn of conns) conn.send({ type: 'watchlistRemoved', ticker: event.ticker })
    else if (event.type === 'session_revoked')
      // Each connection judges by its current token (an in-band refresh may have moved it to another session).
      for (const conn of [...conns]) conn.revocationHeard(event.revocation)
  }
}
