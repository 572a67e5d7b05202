/** Baseline (a), the ceiling: bare Bun.serve — JWT at upgrade, one topic per symbol, the bench upstream's trades republished with server.publish. */
import type { ServerWebSocket } from 'bun'
import { sampleHeap } from '../lib/heap-stats'
import { reply, serveCommands } from '../lib/io'
import { verifyToken } from '../lib/jwt'
import { quoteEnvelope, tradeEnvelope, universe } from '../lib/market'

const secret = process.env.JWT_SECRET ?? ''
const upstreamUrl = process.env.UPSTREAM_URL ?? ''
const maxSubscriptions = 50
const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 20_000)
/** The service's app heartbeat period (WS_KEEPALIVE_MS): every socket hears something this often. */
const keepaliveMs = Math.min(heartbeatMs, Number(process.env.KEEPALIVE_MS ?? 2000))
const epoch = Math.random().toString(36).slice(2, 10)

interface Client {
  user: string
  topics: number
}

const sockets: ServerWebSocket<Client>[] = []
const seqs = new Map<string, number>()
let events = 0
let quotes = 0
let deliveries = 0
let pausedMs = 0
let pausedAt = 0
let probe = 0

const server = Bun.serve<Client>({
  hostname: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  fetch(req, srv) {
    const token = new URL(req.url).searchParams.get('token')
    const user = verifyToken(secret, token)
    if (!user) return new Response('unauthorized', { status: 401 })
    if (srv.upgrade(req, { data: { user, topics: 0 } })) return
    return new Response('upgrade required', { status: 426 })
  },
  websocket: {
    // The service's defaults: 1 MiB send buffer, pings from the server.
    backpressureLimit: 1024 * 1024,
    closeOnBackpressureLimit: false,
    perMessageDeflate: false,
    idleTimeout: 120,
    open(ws) {
      sockets.push(ws)
      ws.subscribe('heartbeat')
    },
    message(ws, raw) {
      let msg: { action?: string; symbols?: unknown }
      try {
        msg = JSON.parse(String(raw))
      } catch {
        return void ws.send('{"type":"error","data":{"code":"MALFORMED_MESSAGE"}}')
      }
      if (msg.action !== 'subscribe' || !Array.isArray(msg.symbols)) return
      const symbols = msg.symbols.filter((s): s is string => typeof s === 'string').slice(0, maxSubscriptions)
      for (const s of symbols) ws.subscribe(`sym:${s}`)
      ws.data.topics += symbols.length
      ws.send(JSON.stringify({ type: 'subscribed', data: { symbols }, ts: Date.now(), source: 'server' }))
    },
    close(ws) {
      const i = sockets.indexOf(ws)
      if (i >= 0) {
        sockets[i] = sockets[sockets.length - 1]!
        sockets.pop()
      }
    },
  },
})

/** True when a rotating sample of sockets shows a send backlog (clients behind): stop reading the upstream. */
function backlogged(sampleSize: number, limit: number): boolean {
  const n = sockets.length
  for (let i = 0; i < Math.min(sampleSize, n); i++) {
    probe = (probe + 1) % n
    if (sockets[probe]!.getBufferedAmount() > limit) return true
  }
  return false
}

/** Bun's WebSocket client can stop reading its socket (TCP backpressure); the DOM typings lack it. */
type PausableSocket = WebSocket & { pause(): boolean; resume(): boolean; readonly isPaused: boolean }

function connectUpstream(): PausableSocket {
  const up = new WebSocket(upstreamUrl) as PausableSocket
  up.onmessage = (ev) => {
    const text = String(ev.data)
    // A replay frame (R\n<symbol>\t<payload>…): messages another server sent, published as they are.
    if (text.charCodeAt(0) === 82) return replayed(text)
    const frame = JSON.parse(text) as {
      ev: string
      status?: string
      sym: string
      p: number
      s: number
      t: number
    }[]
    for (const e of frame) {
      if (e.ev === 'T') {
        const seq = (seqs.get(e.sym) ?? 0) + 1
        seqs.set(e.sym, seq)
        events++
        const topic = `sym:${e.sym}`
        server.publish(topic, tradeEnvelope(e.sym, seq, epoch, e.p, e.s, e.t))
        deliveries += server.subscriberCount(topic)
      } else if (e.ev === 'Q') {
        // Every quote is published (no conflation): what bare Bun delivers is the ceiling.
        const seq = (seqs.get(e.sym) ?? 0) + 1
        seqs.set(e.sym, seq)
        quotes++
        const topic = `sym:${e.sym}`
        server.publish(topic, quoteEnvelope(e.sym, seq, epoch, e as unknown as Parameters<typeof quoteEnvelope>[3]))
        deliveries += server.subscriberCount(topic)
      } else if (e.ev === 'status' && e.status === 'connected') {
        up.send(JSON.stringify({ action: 'auth', params: 'bench' }))
      } else if (e.ev === 'status' && e.status === 'auth_success') {
        up.send(JSON.stringify({ action: 'subscribe', params: universe.map((s) => `T.${s}`).join(',') }))
      }
    }
    if (sockets.length > 0 && backlogged(8, 256 * 1024)) pauseUpstream(up)
  }
  up.onclose = () => process.exit(0)
  return up
}

function replayed(text: string): void {
  let at = text.indexOf('\n') + 1
  while (at > 0 && at < text.length) {
    const tab = text.indexOf('\t', at)
    const end = text.indexOf('\n', tab)
    const topic = `sym:${text.slice(at, tab)}`
    server.publish(topic, text.slice(tab + 1, end < 0 ? text.length : end))
    events++
    deliveries += server.subscriberCount(topic)
    at = end + 1
  }
}

function pauseUpstream(up: PausableSocket): void {
  if (up.isPaused) return
  up.pause()
  pausedAt = performance.now()
  const poll = setInterval(() => {
    if (backlogged(64, 64 * 1024)) return
    clearInterval(poll)
    pausedMs += performance.now() - pausedAt
    up.resume()
  }, 2)
}

// The service's heartbeat, done the cheapest way: one app-level heartbeat publish each keepaliveMs
// and a ping to every socket each heartbeatMs (Bun's own sendPings would ping only near
// idleTimeout, a lighter duty than the protocol's liveness check).
setInterval(() => {
  server.publish('heartbeat', JSON.stringify({ type: 'heartbeat', data: {}, ts: Date.now(), source: 'server' }))
}, keepaliveMs).unref()
setInterval(() => {
  for (const ws of sockets) ws.ping()
}, heartbeatMs).unref()

const upstream = upstreamUrl ? connectUpstream() : null
reply({ ready: true, port: server.port })

await serveCommands(
  (m) => {
    if (m.cmd === 'stats')
      return {
        events,
        quotes,
        deliveries,
        pausedMs: Math.round(pausedMs),
        sockets: sockets.length,
        upstream: upstream?.readyState ?? null,
      }
    if (m.cmd === 'heap') return sampleHeap()
    throw new Error(`unknown command ${m.cmd}`)
  },
  { onExit: () => server.stop(true) },
)
