/** Heartbeat deadlines: when a connection is due a ping, and when silence means it is gone. */

/** How often every connection hears an app-level `heartbeat` message by default (WS_KEEPALIVE_MS). */
export const defaultKeepaliveMs = 2000

/** The app heartbeat's period: the keepalive, never rarer than the ping heartbeat. */
export function keepaliveIntervalMs(heartbeatMs: number, keepaliveMs = defaultKeepaliveMs): number {
  return Math.min(heartbeatMs, keepaliveMs)
}

/** A connection silent (no pong, no message) for this many heartbeat intervals is closed. */
const missedHeartbeatsAllowed = 2

/** The moment after which a connection last heard from at `lastSeenAt` counts as dead. */
export function livenessDeadline(lastSeenAt: number, heartbeatMs: number): number {
  return lastSeenAt + missedHeartbeatsAllowed * heartbeatMs
}

/** True when nothing was heard from the connection for more than the allowed silence. */
export function isSilentTooLong(lastSeenAt: number, now: number, heartbeatMs: number): boolean {
  return now > livenessDeadline(lastSeenAt, heartbeatMs)
}

/** The next ping time after a ping at `pingedAt` (or the connection's open time). */
export function nextPingAt(pingedAt: number, heartbeatMs: number): number {
  return pingedAt + heartbeatMs
}

/**
 * How often the single sweep timer runs: often enough to notice backpressure quickly and to
 * close a silent connection at most a quarter interval late.
 */
export function sweepIntervalMs(heartbeatMs: number, backpressureCheckMs = 250): number {
  return Math.max(10, Math.min(backpressureCheckMs, Math.floor(heartbeatMs / 4)))
}
