/** What every ConnectionActor of a replica shares: the socket it drives, the limits, and the replica-wide services. */
import type { TokenVerifier } from '../ports/token-verifier'
import type { TokenRef } from '../core/revocation-list'
import type { Logger } from '../ports/logger'
import type { Clock } from '../ports/clock'
import type { ConnectionCounter } from '../ports/connection-counter'
import type { Fanout } from '../ports/fanout'
import type { ConnectionActor } from './connection-actor'

/** What the actor needs of a Bun ServerWebSocket. */
export interface StreamSocket {
  /** Bun's send status: bytes written, -1 queued under backpressure, 0 dropped. */
  send(text: string): number
  close(code: number, reason: string): void
  terminate(): void
  ping(): void
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  getBufferedAmount(): number
}

import type { StreamLimits } from '../contract/protocol'
export type { StreamLimits }

/** What clients are told about the feed. */
export type UpstreamHealthView = {
  upstream: 'ok' | 'degraded' | 'reconnecting'
  reason?: { code: string; message: string }
  /** Present once the provider refused quotes (a plan without them): trades, bars and snapshots go on, `quote` messages do not come. */
  quotes?: { available: false; reason: { code: string; message: string } }
}

/** What every connection of a replica shares; built once by the stream module. */
export interface ConnectionContext {
  clock: Clock
  log: Logger
  limits: StreamLimits
  /** Checks the token of an in-band refresh, as the handshake does (signature, expiry, sign-outs). */
  verifier: Pick<TokenVerifier, 'verify'>
  watchlist: { missing(userId: number, tickers: string[]): Promise<string[]> }
  counter: ConnectionCounter
  fanout: Fanout
  upstreamHealth(): UpstreamHealthView
  /** This user's connections on this replica (status `connections.used`). */
  userConnections(userId: number): number
  /** Files the connection's next sweep (`sweep()` is called at the first tick at or after `at`; replaces the earlier one). */
  scheduleSweep(conn: ConnectionActor, at: number): void
  /** The connection holds its slot and is live (true), or has released everything (false). */
  membershipChanged(conn: ConnectionActor, live: boolean): void
  /**
   * Resolves once this replica hears every later event of the user's bus topic (the transport
   * confirmed the subscription membershipChanged made), or once the wait bound has passed.
   */
  userEventsHeard(userId: number): Promise<void>
  /** Whether a sign-out covers the token now (asked once at admission, after userEventsHeard; later sign-outs arrive as events). */
  isRevoked(token: TokenRef): Promise<boolean>
  /** Buffered bytes above which delivery switches to conflation. */
  softBufferBytes: number
  /** How long a connection may stay conflated before 4002. @default 5000 */
  maxBehindMs: number
  /** How long a closing socket may take to flush before it is terminated. */
  closeGraceMs: number
  errorBudget?: number
  errorWindowMs?: number
  /** An `error` message went to the client (metrics). */
  errorSent?(code: string): void
}
