/** Baseline (b): Socket.IO 4 on Node with @socket.io/redis-adapter — JWT in the handshake, one room per symbol, the bench upstream's trades emitted to rooms. */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import { createAdapter } from '@socket.io/redis-adapter'
import { Redis } from 'ioredis'
import { Server } from 'socket.io'
import WebSocket from 'ws'

const secret = process.env.JWT_SECRET ?? ''
const upstreamUrl = process.env.UPSTREAM_URL ?? ''
const symbols = (process.env.SYMBOLS ?? '').split(',').filter(Boolean)
const epoch = Math.random().toString(36).slice(2, 10)
const reply = (msg) => process.stdout.write(JSON.stringify(msg) + '\n')
setTimeout(() => process.exit(3), Number(process.env.BENCH_DEADLINE_MS ?? 600_000)).unref()

/** The `sub` of a valid HS256 token, else null (same check as the bare Bun baseline). */
function verifyToken(token) {
  if (typeof token !== 'string') return null
  const parts = token.split('.')
  if (parts.length !== 3) return null
  const want = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest()
  const got = Buffer.from(parts[2], 'base64url')
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString())
    return typeof claims.exp === 'number' && claims.exp * 1000 > Date.now() ? String(claims.sub) : null
  } catch {
    return null
  }
}

const pub = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: false })
const sub = pub.duplicate()
const http = createServer()
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  adapter: createAdapter(pub, sub, { key: process.env.REDIS_PREFIX ?? 'socket.io' }),
})

io.use((socket, next) => {
  const user = verifyToken(socket.handshake.auth?.token ?? socket.handshake.query?.token)
  if (!user) return next(new Error('unauthorized'))
  socket.data.user = user
  next()
})

const sockets = []
io.on('connection', (socket) => {
  sockets.push(socket)
  socket.on('subscribe', (list, ack) => {
    const wanted = Array.isArray(list) ? list.filter((s) => typeof s === 'string').slice(0, 50) : []
    socket.join(wanted.map((s) => `sym:${s}`))
    if (typeof ack === 'function') ack({ symbols: wanted })
  })
  socket.on('disconnect', () => {
    const i = sockets.indexOf(socket)
    if (i >= 0) sockets.splice(i, 1)
  })
})

let events = 0
let pausedMs = 0
let probe = 0
const seqs = new Map()

/** A rotating sample of sockets with a send backlog: stop reading the upstream until they catch up. */
function backlogged(n, limit) {
  for (let i = 0; i < Math.min(n, sockets.length); i++) {
    probe = (probe + 1) % sockets.length
    const conn = sockets[probe].conn
    if (conn.writeBuffer.length * 200 + (conn.transport.socket?.bufferedAmount ?? 0) > limit) return true
  }
  return false
}

function connectUpstream() {
  const up = new WebSocket(upstreamUrl)
  up.on('message', (data) => {
    for (const e of JSON.parse(String(data))) {
      if (e.ev === 'T') {
        const seq = (seqs.get(e.sym) ?? 0) + 1
        seqs.set(e.sym, seq)
        events++
        io.to(`sym:${e.sym}`).emit('trade', {
          type: 'trade',
          symbol: e.sym,
          seq,
          epoch,
          event_ts: e.t,
          ts: Date.now(),
          source: 'massive',
          data: { p: e.p, s: e.s, t: e.t, count: 1, volume: e.s },
        })
      } else if (e.ev === 'status' && e.status === 'connected')
        up.send(JSON.stringify({ action: 'auth', params: 'bench' }))
      else if (e.ev === 'status' && e.status === 'auth_success')
        up.send(JSON.stringify({ action: 'subscribe', params: symbols.map((s) => `T.${s}`).join(',') }))
    }
    if (sockets.length > 0 && !up.isPaused && backlogged(8, 256 * 1024)) {
      up.pause()
      const at = performance.now()
      const poll = setInterval(() => {
        if (backlogged(64, 64 * 1024)) return
        clearInterval(poll)
        pausedMs += performance.now() - at
        up.resume()
      }, 2)
    }
  })
  up.on('close', () => process.exit(0))
  up.on('error', (e) => process.stderr.write(`upstream: ${e.message}\n`))
}

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  if (upstreamUrl) connectUpstream()
  reply({ ready: true, port: http.address().port })
})

const shutdown = () => {
  io.close()
  pub.disconnect()
  sub.disconnect()
  process.exit(0)
}
process.on('SIGTERM', shutdown)
const rl = createInterface({ input: process.stdin })
rl.on('line', (line) => {
  let msg
  try {
    msg = JSON.parse(line)
  } catch {
    return
  }
  if (msg.cmd === 'stats') reply({ re: 'stats', events, pausedMs: Math.round(pausedMs), sockets: sockets.length })
})
rl.on('close', shutdown)
