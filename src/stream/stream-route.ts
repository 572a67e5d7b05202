/** The stream's route: the HTTP upgrade (auth, Origin, account, process cap) through Bun's server.upgrade, and Bun's WebSocket handlers over a small typed ws.data. */
import { Elysia } from 'elysia'
import type { Server, ServerWebSocket, WebSocketHandler } from 'bun'
import type { Principal, TokenVerifier } from '../ports/token-verifier'
import { CloseCode, controlMessage, streamPath, subprotocol } from '../contract/protocol'
import { AppError } from '../errors'
import type { Clock } from '../ports/clock'
import type { UserRepo } from '../ports/repos'
import { ConnectionActor, connectionSignals } from '../actors/connection-actor'
import { authenticate, readCredentials, requireAccount, type Handshake } from './handshake'
import type { StreamCounters } from './stream-counters'

export { streamPath }

/**
 * What a socket carries (`ws.data`): the handshake's verdict from the upgrade until open, then its
 * actor itself (no holder object per connection), and null once refused or closed. Nothing of the
 * upgrade request is kept.
 */
export type StreamSocketData = Handshake | ConnectionActor | null

/** The socket's actor, when it has one. */
const actorOf = (ws: StreamServerSocket): ConnectionActor | null => (ws.data instanceof ConnectionActor ? ws.data : null)

export type StreamServerSocket = ServerWebSocket<StreamSocketData>

export interface StreamRouteDeps {
  clock: Clock
  verifier: TokenVerifier
  users: Pick<UserRepo, 'exists'>
  corsOrigins: string[]
  counters: StreamCounters
  /** This process's cap on open streams (WS_MAX_CONNECTIONS); beyond it upgrades are refused with 4005 SERVER_FULL. */
  maxConnections: number
  /** False while the process shuts down: new streams are refused with 4000. */
  accepting(): boolean
  /** Open streams of this process, admitted or refused but not yet closed. */
  openSockets(): number
  /** Makes the actor of an authenticated socket (registers it; the actor admits it to the user's quota). */
  admit(socket: StreamServerSocket, principal: Principal): ConnectionActor
  /** The actor's socket closed (either side). */
  released(conn: ConnectionActor, code: number): void
  /** Bun's WebSocket options (frame limit, backpressure, idle backstop): see ws-options.ts. */
  options: Omit<WebSocketHandler<StreamSocketData>, 'open' | 'message' | 'close' | 'drain' | 'pong' | 'ping'>
}

export interface StreamRoute {
  /** The Elysia route answering GET on the stream path with an upgrade. */
  routes: Elysia<any, any, any, any, any, any, any>
  /** Bun's websocket handlers and options for the server (`listen({ websocket })`). */
  websocket: WebSocketHandler<StreamSocketData>
  /** Whether the process holds its cap of streams (readiness says so, so a load balancer sends upgrades elsewhere). */
  full(): boolean
}

export function createStreamRoute(deps: StreamRouteDeps): StreamRoute {
  const full = () => deps.openSockets() >= deps.maxConnections
  // Handshakes in progress and upgraded sockets not yet open count against the cap too, so a burst cannot overshoot it.
  let pending = 0

  const refuse = (ws: StreamServerSocket, h: Extract<Handshake, { ok: false }>) => {
    deps.counters.refused(h.close)
    const details = h.cause && h.cause !== h.close ? { details: { cause: h.cause } } : {}
    ws.send(controlMessage('error', { code: h.close, message: h.message, ...details }, deps.clock.now()))
    ws.close(CloseCode[h.close], h.close)
  }

  /** The verdict on a handshake: cheap refusals first (shutting down, full), then the token, Origin and account. */
  const judge = async (request: Request): Promise<{ handshake: Handshake; echoProtocol: boolean }> => {
    const credentials = readCredentials(request)
    const echoProtocol = credentials.echoProtocol
    if (!deps.accepting()) return { echoProtocol, handshake: { ok: false, close: 'SERVER_RESTART', message: 'the server is shutting down' } }
    if (deps.openSockets() + pending > deps.maxConnections)
      return {
        echoProtocol,
        handshake: { ok: false, close: 'SERVER_FULL', message: 'this server holds its maximum of streams; reconnect (another replica will answer)' },
      }
    const authenticated = await authenticate(request, credentials, deps.verifier, deps.corsOrigins)
    return { echoProtocol, handshake: await requireAccount(authenticated, deps.users) }
  }

  const routes = new Elysia({ name: 'market-data-stream' }).get(
    streamPath,
    async ({ request, server }) => {
      if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || server === null)
        throw new AppError('UPGRADE_REQUIRED', 426, 'this path is a WebSocket stream: see docs/websocket-protocol.md')
      pending++
      let upgraded = false
      try {
        const { handshake, echoProtocol } = await judge(request)
        const headers = echoProtocol ? { 'sec-websocket-protocol': subprotocol } : undefined
        // Refusals are upgraded too and closed with their code at once: a browser cannot read an HTTP refusal (it sees 1006).
        upgraded = (server as Server<StreamSocketData>).upgrade(request, { data: handshake, headers })
        if (upgraded) return
        throw new AppError('UPGRADE_FAILED', 400, 'the WebSocket upgrade failed')
      } finally {
        // An upgraded socket stays pending until open() (where it is admitted or refused).
        if (!upgraded) pending--
      }
    },
    { detail: { hide: true } },
  )

  const websocket: WebSocketHandler<StreamSocketData> = {
    ...deps.options,
    open(ws) {
      pending--
      const h = ws.data
      // The verdict is read once: the actor keeps the token, the socket nothing more.
      ws.data = null
      if (h === null || h instanceof ConnectionActor) return
      if (!h.ok) return refuse(ws, h)
      if (!deps.accepting()) return refuse(ws, { ok: false, close: 'SERVER_RESTART', message: 'the server is shutting down' })
      ws.data = deps.admit(ws, h.principal)
    },
    // Raw frames: exact sizes, binary detection, no parsing or async hop before the actor.
    message: (ws, frame) => actorOf(ws)?.frameArrived(frame),
    close(ws, code) {
      const conn = actorOf(ws)
      if (conn === null) return
      ws.data = null
      deps.released(conn, code)
    },
    drain(ws) {
      actorOf(ws)?.send(connectionSignals.drained)
    },
    pong: (ws) => actorOf(ws)?.heard(),
  }

  return { routes, websocket, full }
}
