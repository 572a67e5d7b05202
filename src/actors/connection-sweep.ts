/** A connection's sweep: heartbeat ping and liveness, token expiry notice and expiry, send-buffer pressure and conflated delivery, the close grace, and when the next sweep is due. */
import { isSilentTooLong, livenessDeadline } from '../core/heartbeat'
import type { ConnectionActor } from './connection-actor'
import { ConflatedDelivery, judgeSendBuffer } from './connection-delivery'

/** Its sweep deadline came: the close grace while closing, else the token, liveness, ping and send-buffer checks. */
export function runSweep(conn: ConnectionActor): void {
  const now = conn.context.clock.now()
  const { heartbeatMs } = conn.context.limits
  if (conn.closing) {
    if (now - conn.closingSince! > conn.context.closeGraceMs) conn.socket.terminate()
    else scheduleSweep(conn, now)
    return
  }
  const due = conn.session.due(now)
  if (due === 'expired') return conn.closeWith('TOKEN_EXPIRED', 'your session expired; sign in again')
  if (due === 'notice') conn.reply('token_expiring', { token_expires_at: conn.session.expiresAt })
  if (isSilentTooLong(conn.lastSeenAt, now, heartbeatMs))
    return conn.closeWith('HEARTBEAT_TIMEOUT', `nothing heard for ${2 * heartbeatMs} ms`)
  if (now >= conn.nextPingAt) {
    conn.socket.ping()
    conn.nextPingAt = now + heartbeatMs
  }
  judgePressure(conn, now)
  flushConflated(conn)
  if (!conn.closing) scheduleSweep(conn, now)
}

/**
 * Files this connection's next sweep: the next ping, the liveness deadline, the token's expiry
 * notice or its expiry, whichever is first (a refresh refiles it: the old expiry is gone); the
 * next tick while it is conflated (how long it stays behind); the end of the close grace while
 * closing. Between deadlines an idle connection costs nothing.
 */
export function scheduleSweep(conn: ConnectionActor, now: number): void {
  let at: number
  if (conn.closing) at = conn.closingSince! + conn.context.closeGraceMs + 1
  else if (conn.behind !== null) at = now
  else
    at = Math.min(
      conn.nextPingAt,
      livenessDeadline(conn.lastSeenAt, conn.context.limits.heartbeatMs) + 1,
      conn.session.deadline(),
    )
  conn.context.scheduleSweep(conn, at)
}

/** Closes a connection whose send buffer overflowed or that stayed behind too long; moves one that just fell behind to conflated delivery. */
export function judgePressure(conn: ConnectionActor, now: number): void {
  switch (judgeSendBuffer(conn.socket.getBufferedAmount(), conn.context, conn.behind?.since ?? null, now)) {
    case 'overflow':
      return conn.closeWith('SLOW_CONSUMER', 'the send buffer overflowed')
    case 'behind':
      return conn.closeWith('SLOW_CONSUMER', `stayed behind for more than ${conn.context.maxBehindMs} ms`)
    case 'conflate':
      conn.behind = new ConflatedDelivery(now)
      conn.context.fanout.setConflating(conn, conn.subscriptions, true)
      scheduleSweep(conn, now)
      return conn.sendStatus()
  }
}

/** Sends what was kept while behind once the socket has drained; back on the topics when it stays drained. */
export function flushConflated(conn: ConnectionActor): void {
  if (conn.closing || conn.behind === null || !conn.behind.flush(conn.socket, conn.context)) return
  conn.behind = null
  // Synchronous with the flush: nothing can be published in between.
  conn.context.fanout.setConflating(conn, conn.subscriptions, false)
  conn.sendStatus()
}
