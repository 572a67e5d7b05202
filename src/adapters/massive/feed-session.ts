/** One Massive feed connection (FeedSession): handshake, netted and batched subscriptions (what was asked for: feed-subscriptions.ts), frame delivery, timers, a single `closed`. */

import type { TimerHandle } from '../../ports/clock.ts'
import type { FeedHandlers, FeedSession, FeedStatusEvent } from '../../ports/upstream.ts'
import { FeedSubscriptions } from './feed-subscriptions.ts'
import { authFrame, isDisconnectStatus, isFeedSymbol, parseFeedFrame, type FeedItem } from './feed-wire.ts'
import type { MassiveFeedOptions } from './massive-feed.ts'

/** The subset of the WebSocket API a session uses (the global WebSocket satisfies it). */
export interface FeedSocket {
  send(data: string): void
  close(code?: number, reason?: string): void
  /** Bun's client sends a ping control frame; absent elsewhere (then no keepalive pings). */
  ping?(): void
  addEventListener(type: 'open' | 'message' | 'close' | 'error' | 'pong', listener: (event: any) => void): void
}
export type FeedSocketConstructor = new (url: string) => FeedSocket

/** Close codes a session reports when it, not the transport, ended the connection. */
export const FEED_CLOSE = {
  /** FeedSession.close(). */
  normal: 1000,
  /** No `auth_success` within authTimeoutMs. */
  authTimeout: 4000,
  /** Neither a message nor a pong for two ping intervals. */
  noTraffic: 4001,
  /** The provider sent a disconnect status but did not close within disconnectGraceMs. */
  providerDisconnect: 4002,
} as const

/** Abnormal closure: the connection ended without a close frame (or never opened). */
const ABNORMAL_CLOSE = 1006

/** Options after defaults and checks (see MassiveFeedOptions). */
export type ResolvedFeedOptions = Required<Omit<MassiveFeedOptions, 'pingIntervalMs'>> & {
  pingIntervalMs: number | null
}
type TimerName = 'auth' | 'ping' | 'grace' | 'close'
type SessionState = 'connecting' | 'ready' | 'closing' | 'closed'

/**
 * One connection. subscribe/unsubscribe calls are netted per symbol (the last call wins) and sent
 * in as few frames as possible: at auth_success for calls made before it, else in a microtask, so
 * a loop of calls still makes one batch. `closed` fires exactly once, and nothing after it.
 */
export class MassiveFeedSession implements FeedSession {
  private socket: FeedSocket | null = null
  private state: SessionState = 'connecting'
  private authSent = false
  /** What the provider was asked for, and the netted calls not yet sent. */
  private readonly subscriptions: FeedSubscriptions
  private flushQueued = false
  /** Set when we close: the code and reason `closed` reports, whatever the transport echoes. */
  private ownClose: { code: number; reason: string } | null = null
  private transportError = ''
  private lastTrafficAt = 0
  private readonly timers: Record<TimerName, TimerHandle | null> = { auth: null, ping: null, grace: null, close: null }

  constructor(
    private readonly opts: ResolvedFeedOptions,
    private readonly handlers: FeedHandlers,
  ) {
    this.subscriptions = new FeedSubscriptions(opts.quotes)
  }

  start(): void {
    this.setTimer('auth', this.opts.authTimeoutMs, () => {
      this.emit({ kind: 'error', message: `no auth_success within ${this.opts.authTimeoutMs} ms` })
      this.closeOwn(FEED_CLOSE.authTimeout, 'auth timeout')
    })
    try {
      const socket = new this.opts.WebSocketImpl(this.opts.url)
      this.socket = socket
      socket.addEventListener('open', () => this.onOpen())
      socket.addEventListener('message', (event: { data: unknown }) => this.onMessage(event.data))
      socket.addEventListener('pong', () => (this.lastTrafficAt = this.opts.clock.now()))
      socket.addEventListener('error', (event: { message?: string }) => this.onError(event?.message))
      socket.addEventListener('close', (event: { code?: number; reason?: string }) =>
        this.onClose(event?.code, event?.reason),
      )
    } catch (error) {
      // Never call back inside open(): report the failed connect on the next turn.
      queueMicrotask(() => this.finish(ABNORMAL_CLOSE, `connect failed: ${(error as Error).message}`))
    }
  }

  subscribe(symbols: string[]): void {
    this.queue(symbols, true)
  }

  unsubscribe(symbols: string[]): void {
    this.queue(symbols, false)
  }

  /** `Q` for these symbols (sent in the frame of their T and AM when those are new); ignored without quotes. */
  subscribeQuotes(symbols: string[]): void {
    if (this.subscriptions.withQuotes) this.queue(symbols, true, true)
  }

  unsubscribeQuotes(symbols: string[]): void {
    if (this.subscriptions.withQuotes) this.queue(symbols, false, true)
  }

  close(): void {
    this.closeOwn(FEED_CLOSE.normal, 'client closed')
  }

  private queue(symbols: string[], subscribe: boolean, quotes = false): void {
    if (this.state === 'closing' || this.state === 'closed') return
    for (const symbol of symbols) {
      if (!isFeedSymbol(symbol)) {
        this.emit({ kind: 'error', message: `not a feed symbol: ${JSON.stringify(symbol)}` })
        continue
      }
      this.subscriptions.ask(symbol, subscribe, quotes)
    }
    if (this.state === 'ready' && !this.flushQueued && this.subscriptions.hasPending(quotes)) {
      this.flushQueued = true
      queueMicrotask(() => {
        this.flushQueued = false
        this.flush()
      })
    }
  }

  /** Sends the netted pending calls (see FeedSubscriptions.takeFrames). */
  private flush(): void {
    if (this.state !== 'ready') return
    for (const frame of this.subscriptions.takeFrames(this.opts.maxParamsLength)) this.send(frame)
  }

  private onOpen(): void {
    if (this.state !== 'connecting') return
    this.lastTrafficAt = this.opts.clock.now()
    if (this.opts.pingIntervalMs !== null) this.schedulePing(this.opts.pingIntervalMs)
    if (this.opts.authOnOpen) this.sendAuth()
  }

  private onMessage(data: unknown): void {
    if (this.ended()) return
    this.lastTrafficAt = this.opts.clock.now()
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer | Uint8Array)
    for (const item of parseFeedFrame(text)) {
      if (this.ended()) return
      this.deliver(item)
    }
  }

  /** Closed, or closing by our own decision: deliver nothing more. */
  private ended(): boolean {
    return this.state === 'closed' || this.ownClose !== null
  }

  private deliver(item: FeedItem): void {
    if (item.kind === 'trades') return this.safely(() => this.handlers.trades(item.trades))
    if (item.kind === 'bars') return this.safely(() => this.handlers.bars(item.bars))
    if (item.kind === 'quotes') return this.safely(() => this.handlers.quotes?.(item.quotes))
    const event = item.event
    if (event.kind === 'quotes_unavailable') {
      // One refusal per Q channel asked for: report it once and ask no more.
      if (!this.subscriptions.quotesRefused()) return
    }
    if (event.kind === 'connected' && !this.authSent) this.sendAuth()
    if (event.kind === 'authenticated') {
      if (this.state !== 'connecting') return
      this.state = 'ready'
      this.clearTimer('auth')
    }
    if (isDisconnectStatus(event)) {
      this.clearTimer('auth')
      if (!this.timers.grace) {
        this.setTimer('grace', this.opts.disconnectGraceMs, () =>
          this.closeOwn(FEED_CLOSE.providerDisconnect, `provider sent ${event.kind}`),
        )
      }
    }
    this.emit(event)
    if (event.kind === 'authenticated') this.flush()
  }

  private sendAuth(): void {
    this.authSent = true
    this.send(authFrame(this.opts.apiKey))
  }

  private send(frame: string): void {
    try {
      this.socket?.send(frame)
    } catch (error) {
      this.emit({ kind: 'error', message: `send failed: ${(error as Error).message}` })
    }
  }

  private schedulePing(delayMs: number): void {
    this.setTimer('ping', delayMs, () => {
      const interval = this.opts.pingIntervalMs!
      if (this.opts.clock.now() - this.lastTrafficAt >= 2 * interval) {
        this.closeOwn(FEED_CLOSE.noTraffic, `no traffic for ${2 * interval} ms`)
        return
      }
      try {
        this.socket?.ping?.()
      } catch {
        // A failing ping means the socket is going away; its close event follows.
      }
      this.schedulePing(interval)
    })
  }

  private onError(message: string | undefined): void {
    this.transportError = message || 'transport error'
    // The close event normally follows; make sure `closed` still fires if it does not.
    if (!this.timers.close && this.state !== 'closed') {
      this.setTimer('close', this.opts.closeTimeoutMs, () => this.finish(ABNORMAL_CLOSE, this.transportError))
    }
  }

  private onClose(code = ABNORMAL_CLOSE, reason = ''): void {
    if (this.ownClose) return this.finish(this.ownClose.code, this.ownClose.reason)
    this.finish(code, reason || (code === ABNORMAL_CLOSE ? this.transportError || 'connection lost' : ''))
  }

  /** We end the connection: `closed` reports our code and reason once the transport confirms (or closeTimeoutMs passes). */
  private closeOwn(code: number, reason: string): void {
    if (this.state === 'closed' || this.ownClose) return
    this.ownClose = { code, reason }
    this.state = 'closing'
    this.clearTimers()
    this.subscriptions.dropPending()
    if (!this.socket) return this.finish(code, reason)
    this.setTimer('close', this.opts.closeTimeoutMs, () => this.finish(code, reason))
    try {
      this.socket.close(code, reason)
    } catch {
      this.finish(code, reason)
    }
  }

  private finish(code: number, reason: string): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.clearTimers()
    this.subscriptions.clear()
    try {
      this.handlers.closed(code, reason)
    } catch {
      // Nothing may follow `closed`, not even an error status.
    }
  }

  private emit(event: FeedStatusEvent): void {
    if (this.state === 'closed') return
    this.safely(() => this.handlers.status(event))
  }

  /** A throwing handler must not break the socket's event loop: report it as an error status. */
  private safely(call: () => void): void {
    try {
      call()
    } catch (error) {
      try {
        this.handlers.status({
          kind: 'error',
          message: `feed handler threw: ${(error as Error)?.message ?? String(error)}`,
        })
      } catch {
        // The status handler itself throws: nothing left to tell.
      }
    }
  }

  private setTimer(name: TimerName, ms: number, fn: () => void): void {
    this.clearTimer(name)
    this.timers[name] = this.opts.clock.setTimeout(() => {
      this.timers[name] = null
      fn()
    }, ms)
  }

  private clearTimer(name: TimerName): void {
    const handle = this.timers[name]
    if (handle) this.opts.clock.clearTimeout(handle)
    this.timers[name] = null
  }

  private clearTimers(): void {
    for (const name of ['auth', 'ping', 'grace', 'close'] as const) this.clearTimer(name)
  }
}
