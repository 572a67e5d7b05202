/** Massive live feed (stocks WebSocket) as the UpstreamFeed port: validated options, one non-reconnecting session per open(). */

import type { Clock } from '../../ports/clock.ts'
import type { FeedHandlers, FeedSession, UpstreamFeed } from '../../ports/upstream.ts'
import { MassiveFeedSession, type FeedSocketConstructor, type ResolvedFeedOptions } from './feed-session.ts'

export { FEED_CLOSE, type FeedSocket, type FeedSocketConstructor } from './feed-session.ts'

export interface MassiveFeedOptions {
  /** Massive API key; sent only in the `auth` frame. */
  apiKey: string
  /** @example 'wss://socket.massive.com/stocks' (15-minute delayed: 'wss://delayed.massive.com/stocks') */
  url: string
  clock: Clock
  /** From open() to `auth_success` (connect, `connected`, auth); on expiry: `error` status, close 4000. */
  authTimeoutMs: number
  /** Send a ping this often; with neither a message nor a pong for two intervals: close 4001. Unset = no pings. */
  pingIntervalMs?: number
  /** Longest `params` of one subscribe/unsubscribe frame, in characters. @default 8_000 */
  maxParamsLength?: number
  /** After a disconnect status (auth_failed, max_connections, ...), how long the provider gets to close before we do (4002). @default 1_000 */
  disconnectGraceMs?: number
  /** After we start a close, report `closed` anyway if the transport has not confirmed within this. @default 2_000 */
  closeTimeoutMs?: number
  /** Send `auth` when the socket opens instead of on the `connected` status. @default false */
  authOnOpen?: boolean
  /** Subscribe NBBO quotes (`Q`) of the symbols a session's subscribeQuotes names; false = ignore those calls. A plan without quotes refuses them once and the session goes on without. @default false */
  quotes?: boolean
  /** @default globalThis.WebSocket */
  WebSocketImpl?: FeedSocketConstructor
}

/**
 * Opens sessions to the Massive stocks feed. Each session connects, waits for `connected`, sends
 * `auth`, and after `auth_success` sends the subscriptions queued so far; it never reconnects.
 */
export class MassiveFeed implements UpstreamFeed {
  readonly name = 'massive' as const
  private readonly opts: ResolvedFeedOptions

  constructor(opts: MassiveFeedOptions) {
    if (!opts.apiKey) throw new RangeError('MassiveFeed: apiKey is required')
    const protocol = URL.canParse(opts.url) ? new URL(opts.url).protocol : ''
    if (protocol !== 'ws:' && protocol !== 'wss:')
      throw new RangeError(`MassiveFeed: url must be ws: or wss:, got ${opts.url}`)
    this.opts = {
      ...opts,
      authTimeoutMs: positive('authTimeoutMs', opts.authTimeoutMs),
      pingIntervalMs: opts.pingIntervalMs === undefined ? null : positive('pingIntervalMs', opts.pingIntervalMs),
      maxParamsLength: positive('maxParamsLength', opts.maxParamsLength ?? 8_000),
      disconnectGraceMs: positive('disconnectGraceMs', opts.disconnectGraceMs ?? 1_000),
      closeTimeoutMs: positive('closeTimeoutMs', opts.closeTimeoutMs ?? 2_000),
      authOnOpen: opts.authOnOpen ?? false,
      quotes: opts.quotes ?? false,
      WebSocketImpl: opts.WebSocketImpl ?? (globalThis.WebSocket as unknown as FeedSocketConstructor),
    }
  }

  open(handlers: FeedHandlers): FeedSession {
    const session = new MassiveFeedSession(this.opts, handlers)
    session.start()
    return session
  }
}

function positive(name: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new RangeError(`MassiveFeed: ${name} must be a number > 0, got ${value}`)
  }
  return value
}
