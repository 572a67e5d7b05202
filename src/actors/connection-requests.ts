/** What a client asks over its open stream and the answers: ping, subscribe (watchlist-scoped, capped), unsubscribe, in-band token refresh, and a symbol leaving the watchlist. */
import { parseClientFrame } from '../contract/protocol'
import type { RequestId } from '../contract/messages'
import { channelNames } from '../contract/channels'
import type { ConnectionActor } from './connection-actor'
import { scheduleSweep } from './connection-sweep'

/** Handles one accepted frame (rate limits were applied at arrival): parses it and answers the request. */
export async function requestArrived(conn: ConnectionActor, frame: string | Uint8Array): Promise<void> {
  const parsed = parseClientFrame(frame, conn.context.limits.maxMessageBytes)
  if (!parsed.ok) return conn.refuse(parsed.error, parsed.id)
  const r = parsed.request
  if (r.action === 'ping') return conn.reply('pong', r.id === undefined ? {} : { id: r.id })
  if (r.action === 'unsubscribe') return unsubscribe(conn, r.symbols, r.id)
  if (r.action === 'refresh') return refresh(conn, r.token, r.id)
  return subscribe(conn, r.symbols, r.id, r.channelMask)
}

/** The user removed a symbol from the watchlist: its subscription goes, and the client is told why. */
export function watchlistRemoved(conn: ConnectionActor, ticker: string): void {
  if (!conn.subscriptions.has(ticker)) return
  conn.drop(ticker)
  conn.reply('subscribed', { symbols: symbolList(conn), added: [], removed: [ticker], reason: 'NOT_IN_WATCHLIST' })
  conn.sendStatus()
}

/** In-band refresh: a valid token of the same user moves the connection's expiry (and session) to it; a refused one changes nothing. */
async function refresh(conn: ConnectionActor, token: string, id: RequestId | undefined): Promise<void> {
  const { verifier, clock } = conn.context
  const outcome = await conn.session.refresh(token, verifier, () => clock.now())
  if (conn.closing) return
  if (!outcome.ok) return conn.refuse(outcome.error, id)
  scheduleSweep(conn, clock.now())
  conn.reply('refreshed', { token_expires_at: conn.session.expiresAt, ...idOf(id) })
}

/**
 * Subscribes the fresh symbols with `channelMask` (default: trades, bars, snapshots); symbols
 * already subscribed move to `channelMask` when one is given and get the latest messages of the
 * channels they gained.
 */
async function subscribe(
  conn: ConnectionActor,
  symbols: string[],
  id: RequestId | undefined,
  channelMask?: number,
): Promise<void> {
  const { limits, watchlist, log, fanout } = conn.context
  const max = limits.maxSubscriptions
  const fresh = symbols.filter((s) => !conn.subscriptions.has(s))
  if (conn.subscriptions.size + fresh.length > max)
    return conn.refuse(
      {
        code: 'SUBSCRIPTION_LIMIT',
        message: `at most ${max} subscriptions per connection; ${conn.subscriptions.size} in use, ${fresh.length} requested`,
        details: { max, used: conn.subscriptions.size, requested: fresh.length },
      },
      id,
    )
  let missing: string[]
  try {
    missing = await watchlist.missing(conn.userId, fresh)
  } catch (e) {
    log.error('watchlist check failed', { error: String(e) })
    return conn.reply('error', {
      code: 'INTERNAL_ERROR',
      message: 'could not check your watchlist; try again',
      ...idOf(id),
    })
  }
  if (conn.closing) return
  if (missing.length > 0)
    return conn.refuse(
      {
        code: 'NOT_IN_WATCHLIST',
        message: `not on your watchlist: ${missing.join(', ')}`,
        details: { symbols: missing },
      },
      id,
    )
  const gained = conn.addSubscriptions(symbols, fresh, channelMask)
  conn.reply('subscribed', {
    symbols: symbolList(conn),
    added: fresh,
    removed: [],
    ...(channelMask === undefined ? {} : { channels: channelNames(channelMask) }),
    ...idOf(id),
  })
  for (const [s, bits] of gained) for (const payload of fanout.latest(s, bits)) conn.direct(s, payload)
  if (fresh.length > 0) conn.sendStatus()
}

function unsubscribe(conn: ConnectionActor, symbols: string[], id: RequestId | undefined): void {
  const removed = symbols.filter((s) => conn.subscriptions.has(s))
  for (const s of removed) conn.drop(s)
  conn.reply('subscribed', { symbols: symbolList(conn), added: [], removed, ...idOf(id) })
  if (removed.length > 0) conn.sendStatus()
}

function symbolList(conn: ConnectionActor): string[] {
  return [...conn.subscriptions].sort()
}

export function idOf(id: RequestId | undefined): { id?: RequestId } {
  return id === undefined ? {} : { id }
}
