/** ConnectionRegistry: a replica's live connections, indexed by user, with the per-user bus topic that carries watchlist removals. */
import type { Logger } from '../adapters/log/logger'
import type { ConnectionActor, ConnectionMessage } from '../actors/connection-actor'
import { userTopic } from '../core/protocol'
import type { Bus } from '../ports/bus'

/** Events for one user's connections on every replica (bus topic `user:<id>`). */
export type UserEvent = { type: 'watchlist_removed'; ticker: string }

interface UserEntry {
  conns: Set<ConnectionActor>
  unsubscribeBus: () => void
}

export class ConnectionRegistry {
  private readonly all = new Set<ConnectionActor>()
  private readonly users = new Map<number, UserEntry>()

  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
  ) {}

  add(conn: ConnectionActor): void {
    this.all.add(conn)
  }

  remove(conn: ConnectionActor): void {
    this.all.delete(conn)
  }

  /** Admitted (true) or released (false): keeps the per-user index and tells the user's other connections their quota changed. */
  membershipChanged(conn: ConnectionActor, live: boolean): void {
    const userId = conn.userId
    let entry = this.users.get(userId)
    if (live) {
      if (entry === undefined) {
        const unsubscribeBus = this.bus.subscribe(userTopic(userId), (payload) => this.onBusEvent(userId, payload))
        this.users.set(userId, (entry = { conns: new Set(), unsubscribeBus }))
      }
      entry.conns.add(conn)
    } else {
      if (entry === undefined || !entry.conns.delete(conn)) return
      if (entry.conns.size === 0) {
        entry.unsubscribeBus()
        this.users.delete(userId)
      }
    }
    for (const other of entry.conns) if (other !== conn) other.send({ type: 'statusChanged' })
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
    for (const conn of this.all) conn.send(message)
  }

  sweepAll(): void {
    for (const conn of this.all) conn.sweep()
  }

  connections(): IterableIterator<ConnectionActor> {
    return this.all.values()
  }

  get size(): number {
    return this.all.size
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
    this.deliver(userId, event)
  }

  private deliver(userId: number, event: UserEvent): void {
    if (event.type !== 'watchlist_removed') return
    for (const conn of this.users.get(userId)?.conns ?? []) conn.send({ type: 'watchlistRemoved', ticker: event.ticker })
  }
}
