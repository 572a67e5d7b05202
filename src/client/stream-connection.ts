/** Thin shell around one stream WebSocket: runs the connection machine's commands (socket, retry/outage/watchdog timers) and reports frames. */
import type { Clock, TimerHandle } from '../core/clock'
import {
  defaultMachineOptions,
  initialMachine,
  silenceLimitMs,
  transition,
  watchdogVerdict,
  type Machine,
  type MachineCommand,
  type MachineEvent,
  type MachineOptions,
  type Reason,
  type TimerName,
} from './connection-machine'
import { bearerProtocolPrefix } from '../contract/protocol'
import { parseServerFrame, streamSubprotocol, type ClientRequest, type ServerMessage } from './wire'

/** The part of a WebSocket the client uses (the browser's and Bun's both fit). */
export interface StreamSocket {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: any) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
  onerror: ((ev: any) => void) | null
}
export type SocketFactory = new (url: string, protocols?: string | string[]) => StreamSocket

export interface StreamConnectionDeps {
  /** ws:// or wss:// URL of the stream. */
  url: string
  /** Bearer token for the `bearer.<jwt>` subprotocol, or null to rely on the session cookie. */
  token: () => string | null
  WebSocket: SocketFactory
  clock: Clock
  random: () => number
}

export interface StreamEvents {
  /** A frame's server send time `ts`, and the local time it arrived (before the frame is handled). */
  serverTime(ts: number, receivedAt: number): void
  /** Every parsed frame, in order. */
  message(m: ServerMessage): void
  /** `welcome` arrived: subscribe now. */
  up(): void
  /** The socket is gone (closed, refused or silent). */
  down(): void
  /** The machine changed (state, reason, attempt). */
  changed(m: Machine): void
}

const OPEN = 1

export class StreamConnection {
  machine: Machine = initialMachine
  private socket: StreamSocket | null = null
  private timers = new Map<TimerName, TimerHandle>()
  private lastHeardAt = 0
  /** The in-band error a refusing server sends before its close frame (gives the close a reason). */
  private closeError: Reason | undefined
  /** Sockets opened so far (for diagnostics). */
  opened = 0
  private readonly options: MachineOptions

  constructor(
    private deps: StreamConnectionDeps,
    private events: StreamEvents,
    options: Partial<MachineOptions> = {},
  ) {
    this.options = { ...defaultMachineOptions, ...options }
  }

  start(): void {
    this.dispatch({ type: 'start' })
  }
  stop(): void {
    this.dispatch({ type: 'stop' })
  }
  /** The network is back (browser `online`): retry now instead of waiting out the backoff. */
  nudge(): void {
    this.dispatch({ type: 'online' })
  }
  /** The browser went offline (`offline` event): the stream counts as lost at once. */
  offline(): void {
    this.dispatch({ type: 'offline' })
  }
  /** Back from sleep or a hidden tab (`visibilitychange`): the watchdog looks now, not when a throttled timer fires. */
  checkSilence(): void {
    if (this.timers.has('watchdog')) this.fire('watchdog')
  }
  /** A REST poll's outcome while polling: failing polls are 'offline', a success 'polling' again. */
  polled(ok: boolean): void {
    this.dispatch({ type: ok ? 'poll_ok' : 'poll_failed' })
  }
  /** Local time of the last byte from the server (or of the last socket opened). */
  get heardAt(): number {
    return this.lastHeardAt
  }
  backfillFailed(message: string): void {
    this.dispatch({ type: 'backfill_failed', message })
  }
  backfillOk(): void {
    this.dispatch({ type: 'backfill_ok' })
  }
  authLost(reason: Reason): void {
    this.dispatch({ type: 'auth_lost', reason })
  }

  /** Sends a request when the socket is open; false otherwise. */
  send(req: ClientRequest): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false
    this.socket.send(JSON.stringify(req))
    return true
  }

  private dispatch(e: MachineEvent): void {
    const before = this.machine
    const { machine, commands } = transition(before, e, this.deps.clock.now(), this.deps.random, this.options)
    this.machine = machine
    for (const c of commands) this.run(c)
    if (machine !== before) this.events.changed(machine)
  }

  private run(c: MachineCommand): void {
    switch (c.type) {
      case 'open_socket':
        return this.open()
      case 'close_socket':
        return this.drop(c.reason)
      case 'clear_timer': {
        const h = this.timers.get(c.timer)
        if (h) this.deps.clock.clearTimeout(h)
        this.timers.delete(c.timer)
        return
      }
      case 'set_timer': {
        const h = this.timers.get(c.timer)
        if (h) this.deps.clock.clearTimeout(h)
        this.timers.set(
          c.timer,
          this.deps.clock.setTimeout(() => this.fire(c.timer), c.ms),
        )
        return
      }
    }
  }

  private fire(timer: TimerName): void {
    const h = this.timers.get(timer)
    if (h) this.deps.clock.clearTimeout(h)
    this.timers.delete(timer)
    if (timer === 'retry') return this.dispatch({ type: 'retry_due' })
    if (timer === 'outage') return this.dispatch({ type: 'outage_long' })
    const verdict = watchdogVerdict(this.lastHeardAt, this.deps.clock.now(), silenceLimitMs(this.machine, this.options))
    if (verdict.expired) this.dispatch({ type: 'silent' })
    else this.run({ type: 'set_timer', timer: 'watchdog', ms: verdict.recheckInMs })
  }

  private open(): void {
    this.drop('replaced')
    const token = this.deps.token()
    const protocols = token ? [streamSubprotocol, bearerProtocolPrefix + token] : [streamSubprotocol]
    this.lastHeardAt = this.deps.clock.now()
    this.closeError = undefined
    this.opened++
    let socket: StreamSocket
    try {
      socket = new this.deps.WebSocket(this.deps.url, protocols)
    } catch {
      this.deps.clock.setTimeout(() => this.dispatch({ type: 'closed', code: 1006 }), 0)
      return
    }
    this.socket = socket
    socket.onmessage = (ev) => this.onFrame(ev.data)
    socket.onclose = (ev) => {
      if (this.socket !== socket) return
      this.detach()
      this.events.down()
      this.dispatch({ type: 'closed', code: ev.code, error: this.closeError })
    }
    socket.onerror = () => {}
  }

  private onFrame(data: unknown): void {
    this.lastHeardAt = this.deps.clock.now()
    const m = parseServerFrame(data)
    if (!m) return
    this.events.serverTime(m.ts, this.lastHeardAt)
    // An error right before a close frame is that close's reason; anything else in between clears it.
    this.closeError = m.type === 'error' ? { code: m.data.code, message: m.data.message } : undefined
    if (m.type === 'welcome') {
      this.dispatch({
        type: 'welcome',
        heartbeatMs: Number(m.data.heartbeat_ms) || 15_000,
        keepaliveMs: Number(m.data.keepalive_ms) || null,
      })
      this.events.message(m)
      this.events.up()
      return
    }
    this.events.message(m)
  }

  /** Closes the current socket (if any) without reporting its close as a new event. */
  private drop(reason: string): void {
    const socket = this.socket
    if (!socket) return
    this.detach()
    try {
      socket.close(1000, reason)
    } catch {}
    this.events.down()
  }

  private detach(): void {
    const s = this.socket
    if (!s) return
    s.onmessage = s.onclose = s.onerror = s.onopen = null
    this.socket = null
  }
}
