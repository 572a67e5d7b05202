/** Database outages as one typed error: driver connection failures and calls past a deadline become 503 DATABASE_UNAVAILABLE. */
import { DatabaseUnavailableError } from '../../errors'
import { withDeadline } from '../../core/deadline'
import type { Clock } from '../../ports/clock'

/** postgres-js's own codes and Node/Bun socket codes that mean "the server is not there". */
const connectionCodes = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ConnectionRefused',
  'ConnectionClosed',
])

/**
 * SQLSTATEs of a server that is going away or not ready: class 08 (connection exception),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections.
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300'
}

/** True when `error` (or any error in its `cause` chain, as drizzle wraps driver errors) says the database is unreachable. */
function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseUnavailableError) return true
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (connectionCodes.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code))))
      return true
  }
  return false
}

export interface GuardOptions {
  /** Longest wait for one repository call before answering DATABASE_UNAVAILABLE. */
  deadlineMs: number
  clock: Clock
}

/** Runs one database call: connection failures and a missed deadline become DatabaseUnavailableError; every other error passes through. */
export function guardCall<T>(call: () => Promise<T>, o: GuardOptions): Promise<T> {
  const work = call().catch((error: unknown) => {
    throw isDatabaseUnavailable(error) ? new DatabaseUnavailableError('the database is unavailable', { cause: error }) : error
  })
  return withDeadline(work, o.deadlineMs, o.clock, () => new DatabaseUnavailableError(`the database did not answer within ${o.deadlineMs} ms`))
}

/** The same repository with every method run through guardCall (methods only; repositories hold no other state). */
export function guardRepo<T extends object>(repo: T, o: GuardOptions): T {
  const guarded: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(repo)) {
    guarded[name] =
      typeof value === 'function' ? (...args: unknown[]) => guardCall(() => (value as Function).apply(repo, args), o) : value
  }
  return guarded as T
}
