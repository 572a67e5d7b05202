/** A fault-injecting reverse proxy for client tests: forwards HTTP and bridges the stream WebSocket, and can drop sockets or refuse the stream for a while. */
import type { Server, ServerWebSocket } from 'bun'
import type { Clock } from '../../../src/ports/clock'

interface Bridge {
  upstream: WebSocket
  /** Client → app frames sent before the app socket opened. */
  pending: (string | ArrayBufferLike)[]
  /** App → client frames that arrived before the client socket opened. */
  early: unknown[]
  client: ServerWebSocket<Bridge> | null
  /** The app closed before the client socket opened. */
  closedEarly: { code: number; reason: string } | null
  /** Half-open: nothing is forwarded either way, and neither side is closed. */
  stalled: boolean
}

/** Close codes a server may send on to the client as they are (else 1011). */
const forwardable = (code: number) => (code >= 3000 && code <= 4999 ? code : code === 1000 ? 1000 : 1011)

export interface FaultProxy {
  url: string
  /** Stream sockets currently bridged. */
  readonly sockets: number
  /** Stream handshakes refused so far (while blocked). */
  readonly refused: number
  /** Closes every bridged stream socket towards the client with `code` (4000 SERVER_RESTART by default; 1011 mimics a crash). */
  dropStreams(code?: number, reason?: string): number
  /**
   * Half-opens every bridged stream socket, and every one bridged until resumeStreams(): forwarding
   * stops both ways and nothing is closed (a dead Wi-Fi, a stuck proxy). Returns the sockets stalled now.
   */
  stallStreams(): number
  /** New stream sockets are bridged again; the stalled ones stay half-open. */
  resumeStreams(): void
  /** Refuses stream handshakes (HTTP 503) until unblock(); REST keeps working. */
  blockStreams(): void
  unblockStreams(): void
  stop(): void
}

export interface FaultProxyOptions {
  /**
   * The app's clock. Bun stamps `Date` from the system clock, so an app on a simulated clock
   * would tell two times; with this, HTTP `Date` tells the app's time, as a real server's does.
   */
  clock?: Clock
}

/**
 * Starts the proxy in front of `target` (http://host:port). The client-facing close is sent by
 * this process, so to the client it is exactly a server-side close; the upstream socket is
 * closed with it, so the app sees the client leave.
 */
export function startFaultProxy(target: string, options: FaultProxyOptions = {}): FaultProxy {
  const targetUrl = new URL(target)
  const bridges = new Set<ServerWebSocket<Bridge>>()
  let blocked = false
  let stalling = false
  let refused = 0

  const server: Server<Bridge> = Bun.serve<Bridge>({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req, srv) {
      const url = new URL(req.url)
      const upstreamUrl = `${targetUrl.origin}${url.pathname}${url.search}`
      if (req.headers.get('upgrade')?.toLowerCase() === 'websocket') {
        if (blocked) {
          refused++
          return new Response('stream unavailable (test outage)', { status: 503 })
        }
        const protocols = (req.headers.get('sec-websocket-protocol') ?? '')
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
        const headers: Record<string, string> = { origin: targetUrl.origin }
        const cookie = req.headers.get('cookie')
        if (cookie) headers.cookie = cookie
        const upstream = new WebSocket(upstreamUrl.replace(/^http/, 'ws'), { protocols, headers } as any)
        const data: Bridge = { upstream, pending: [], early: [], client: null, closedEarly: null, stalled: stalling }
        upstream.onmessage = (ev) => {
          if (data.stalled) return
          if (data.client) data.client.send(ev.data as string)
          else data.early.push(ev.data)
        }
        upstream.onclose = (ev) => {
          if (!data.client) return void (data.closedEarly = { code: ev.code, reason: ev.reason })
          bridges.delete(data.client)
          data.client.close(forwardable(ev.code), ev.reason)
        }
        upstream.onopen = () => {
          for (const m of data.pending) upstream.send(m as string)
          data.pending = []
        }
        const chosen = protocols.includes('market-watch.v1') ? 'market-watch.v1' : undefined
        const ok = srv.upgrade(req, { data, headers: chosen ? { 'sec-websocket-protocol': chosen } : undefined })
        return ok ? undefined : new Response('upgrade failed', { status: 400 })
      }
      const headers = new Headers(req.headers)
      headers.set('host', targetUrl.host)
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer()
      const res = await fetch(upstreamUrl, { method: req.method, headers, body, redirect: 'manual' })
      const out = new Headers(res.headers)
      out.delete('content-encoding')
      out.delete('content-length')
      if (options.clock) out.set('date', new Date(options.clock.now()).toUTCString())
      return new Response(await res.arrayBuffer(), { status: res.status, headers: out })
    },
    websocket: {
      open(ws) {
        const data = ws.data
        data.client = ws
        for (const m of data.early) ws.send(m as string)
        data.early = []
        if (data.closedEarly) return ws.close(forwardable(data.closedEarly.code), data.closedEarly.reason)
        bridges.add(ws)
      },
      message(ws, message) {
        if (ws.data.stalled) return
        const up = ws.data.upstream
        if (up.readyState === WebSocket.OPEN) up.send(message)
        else ws.data.pending.push(message as string)
      },
      close(ws) {
        bridges.delete(ws)
        try {
          ws.data.upstream.close()
        } catch {}
      },
    },
  })

  return {
    url: `http://127.0.0.1:${server.port}`,
    get sockets() {
      return bridges.size
    },
    get refused() {
      return refused
    },
    dropStreams(code = 4000, reason = 'test: server-side drop') {
      const n = bridges.size
      for (const ws of [...bridges]) {
        bridges.delete(ws)
        ws.data.upstream.onclose = null
        ws.close(code, reason)
        try {
          ws.data.upstream.close()
        } catch {}
      }
      return n
    },
    stallStreams() {
      stalling = true
      for (const ws of bridges) ws.data.stalled = true
      return bridges.size
    },
    resumeStreams() {
      stalling = false
    },
    blockStreams() {
      blocked = true
    },
    unblockStreams() {
      blocked = false
    },
    stop() {
      for (const ws of bridges) ws.data.upstream.close()
      server.stop(true)
    },
  }
}
