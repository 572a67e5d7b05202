/** Load-generator process: many authenticated WebSocket clients (Market Watch JSON protocol or Socket.IO's), counting deliveries and sampling latency. */
import { serveCommands } from '../lib/io'
import { symbolsFor, universe } from '../lib/market'
import { connectWire, type WireConn } from './ws-wire'

export interface ClientsConfig {
  name: string
  host: string
  port: number
  /** 'mw' = `{"action":"subscribe"}` JSON frames (service and bare Bun); 'sio' = Socket.IO v4 over engine.io v4. */
  protocol: 'mw' | 'sio'
  /** Upgrade path without the query, e.g. `/api/v1/market-data/stream` or `/socket.io/`. */
  path: string
  /** Connection i uses tokens[i % tokens.length]. */
  tokens: string[]
  /** Global index of this process's first connection (symbol assignment continues across processes). */
  first: number
  count: number
  /** Symbols per connection; 0 = idle connections that subscribe to nothing. */
  symbolsPerConn: number
  /** Source addresses used round-robin. */
  localAddresses: string[]
  /** Upgrades in flight at once. */
  connectConcurrency: number
  /** Take one latency sample per this many messages (a power of two). */
  sampleEvery: number
}

interface ConnState {
  index: number
  ready: boolean
  done: (ok: boolean, why?: string) => void
}

const cfg: ClientsConfig = JSON.parse(process.argv[2] ?? '{}')
const conns: WireConn<ConnState>[] = []
let msgs = 0
let bytes = 0
let closed = 0
/** `status` messages (the service sends one when a connection starts or stops being conflated). */
let statuses = 0
const closeCodes: Record<string, number> = {}
const errors: string[] = []
const sampleMask = Math.max(1, cfg.sampleEvery ?? 64) - 1
const maxSamples = 200_000
let samples = new Float64Array(maxSamples)
let nSamples = 0
let seen = 0
/** Samples since the last `lag` command (the rate controller's feedback). */
const recent = new Float64Array(50_000)
let nRecent = 0

const eventTsKey = Buffer.from('"event_ts":')
const now = () => performance.timeOrigin + performance.now()

function sample(buf: Buffer, start: number, end: number): void {
  const at = buf.indexOf(eventTsKey, start)
  if (at < 0 || at >= end) return
  let v = 0
  for (let i = at + eventTsKey.length; i < end; i++) {
    const d = buf[i]! - 48
    if (d < 0 || d > 9) break
    v = v * 10 + d
  }
  if (v === 0) return
  const lat = now() - v
  if (nRecent < recent.length) recent[nRecent++] = lat
  seen++
  if (nSamples < maxSamples) samples[nSamples++] = lat
  else {
    const j = Math.floor(Math.random() * seen)
    if (j < maxSamples) samples[j] = lat
  }
}

const startsWith = (buf: Buffer, start: number, end: number, prefix: string) =>
  end - start >= prefix.length && buf.toString('latin1', start, start + prefix.length) === prefix

function onMessageMw(c: WireConn<ConnState>, buf: Buffer, start: number, end: number): void {
  // Every frame is {"type":"<x>…; only heartbeats and, before readiness, the subscribe reply matter.
  const x = buf[start + 9]
  if (x === 0x68 && startsWith(buf, start, end, '{"type":"heartbeat"')) c.sendText('{"action":"ping"}')
  else if (x === 0x73 && buf[start + 10] === 0x74 && startsWith(buf, start, end, '{"type":"status"')) statuses++
  else if (c.data.ready) return
  else if (startsWith(buf, start, end, '{"type":"subscribed"')) c.data.done(true)
  else if (startsWith(buf, start, end, '{"type":"error"'))
    c.data.done(false, buf.toString('utf8', start, Math.min(end, start + 200)))
}

function onMessageSio(c: WireConn<ConnState>, buf: Buffer, start: number, end: number): void {
  const b0 = buf[start]
  if (b0 === 0x32 && end - start === 1) return c.sendText('3') // engine.io ping → pong
  if (c.data.ready) return
  const head = buf.toString('latin1', start, Math.min(end, start + 3))
  const token = cfg.tokens[c.data.index % cfg.tokens.length]
  if (head.startsWith('0{')) c.sendText(`40${JSON.stringify({ token })}`)
  else if (head.startsWith('40')) {
    if (cfg.symbolsPerConn === 0) c.data.done(true)
    else c.sendText(`420${JSON.stringify(['subscribe', symbolsFor(c.data.index, cfg.symbolsPerConn, universe)])}`)
  } else if (head.startsWith('430')) c.data.done(true)
  else if (head.startsWith('44')) c.data.done(false, buf.toString('utf8', start, Math.min(end, start + 200)))
}

const onMessage = cfg.protocol === 'sio' ? onMessageSio : onMessageMw

const events = {
  open(c: WireConn<ConnState>) {
    if (cfg.protocol === 'sio') return
    if (cfg.symbolsPerConn === 0) return c.data.done(true)
    c.sendText(JSON.stringify({ action: 'subscribe', symbols: symbolsFor(c.data.index, cfg.symbolsPerConn, universe) }))
  },
  message(c: WireConn<ConnState>, buf: Buffer, start: number, end: number) {
    msgs++
    bytes += end - start
    if ((msgs & sampleMask) === 0) sample(buf, start, end)
    if (buf[start] === 0x7b || cfg.protocol === 'sio') onMessage(c, buf, start, end)
  },
  close(c: WireConn<ConnState>, code: number, reason: string) {
    closed++
    closeCodes[code] = (closeCodes[code] ?? 0) + 1
    if (!c.data.ready) c.data.done(false, `closed ${code} ${reason}`.trim())
  },
}

function pathFor(i: number): string {
  const token = encodeURIComponent(cfg.tokens[i % cfg.tokens.length] ?? '')
  return cfg.protocol === 'sio' ? `${cfg.path}?EIO=4&transport=websocket` : `${cfg.path}?token=${token}`
}

/** Opens every connection, `connectConcurrency` upgrades at a time; resolves when each is ready or failed. */
async function connectAll(timeoutMs: number): Promise<Record<string, unknown>> {
  const t0 = performance.now()
  let next = 0
  let ready = 0
  let failed = 0
  const one = (): Promise<void> => {
    if (next >= cfg.count) return Promise.resolve()
    const index = cfg.first + next++
    return new Promise<void>((resolve) => {
      const state: ConnState = {
        index,
        ready: false,
        done(ok, why) {
          if (state.ready || (state as { settled?: boolean }).settled) return
          ;(state as { settled?: boolean }).settled = true
          state.ready = ok
          if (ok) ready++
          else {
            failed++
            if (why && errors.length < 10) errors.push(why)
          }
          resolve()
        },
      }
      const local = cfg.localAddresses[index % cfg.localAddresses.length]
      void connectWire(
        { host: cfg.host, port: cfg.port, path: pathFor(index), localAddress: local },
        state,
        events,
      ).then((c) => conns.push(c))
    }).then(one)
  }
  const workers = Array.from({ length: Math.min(cfg.connectConcurrency, cfg.count) }, one)
  const all = Promise.all(workers)
  const timedOut = await Promise.race([all.then(() => false), Bun.sleep(timeoutMs).then(() => true)])
  return { ready, failed, timedOut, ms: Math.round(performance.now() - t0), errors: errors.slice(0, 5) }
}

await serveCommands(async (m) => {
  switch (m.cmd) {
    case 'connect':
      return connectAll(m.timeoutMs ?? 120_000)
    case 'snap':
      return { at: now(), msgs, bytes, closed, statuses, closeCodes, open: conns.filter((c) => c.open).length }
    case 'lag': {
      const sorted = recent.subarray(0, nRecent).sort()
      const at = (p: number) => (nRecent ? sorted[Math.min(nRecent - 1, Math.floor(p * nRecent))]! : null)
      const out = { n: nRecent, p50: at(0.5), p99: at(0.99), msgs }
      nRecent = 0
      return out
    }
    case 'lat': {
      const out = Array.from(samples.subarray(0, nSamples), (x) => Math.round(x * 100) / 100)
      samples = new Float64Array(maxSamples)
      nSamples = 0
      seen = 0
      return { samples: out }
    }
    case 'close':
      for (const c of conns) c.close()
      await Bun.sleep(200)
      for (const c of conns) if (!c.closed) c.terminate()
      return { closed }
    default:
      throw new Error(`unknown command ${m.cmd}`)
  }
})
