/** Load-generator process: many authenticated WebSocket clients (Market Watch JSON protocol or Socket.IO's), counting deliveries and sampling latency. */
import { readFileSync, rmSync } from 'node:fs'
import { serveCommands } from '../lib/io'
import { blockSymbols } from '../lib/market'
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
  /** Stream channels each subscribe names (the quotes workload: all four); absent = the default set. */
  channels?: string[]
  /** Idle connections count as ready on the server's `welcome` (the service admits after the upgrade), not on open. */
  awaitWelcome?: boolean
  /**
   * Answer each app-level `heartbeat` with a `{"action":"ping"}` (the server answers `pong`). The
   * browser client does not (it only watches for silence); ping frames are always answered.
   */
  pingOnHeartbeat?: boolean
  /**
   * Refused before readiness with a code the protocol says to retry (4000, 4003, 4005, or a
   * dropped link), connect again after a backoff as the browser client does, up to 6 times.
   */
  reconnect?: boolean
  /** Connections with a global index below this keep every market message they receive, with its receipt time (`recording`). */
  recordFirst?: number
  /** Connections with a global index below this keep the last quote they received per symbol while `trackQuotes` is on. */
  trackQuotesFirst?: number
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
  /** Connects made after a refusal (with `reconnect`). */
  retries: number
  retry: () => void
  /** App-level heartbeats received, and pongs to the client's `ping` action (heartbeats answered). */
  heartbeats: number
  pongs: number
  done: (ok: boolean, why?: string) => void
}

const arg = process.argv[2] ?? '{}'
const cfg: ClientsConfig = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg)
if (arg.startsWith('@')) rmSync(arg.slice(1), { force: true })
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

/** [receipt time (ms since the epoch), symbol, payload] of the recording connections' market messages. */
let recording: [number, string, string][] = []
const symbolKey = Buffer.from('"symbol":"')

function record(buf: Buffer, start: number, end: number): void {
  const at = buf.indexOf(symbolKey, start)
  if (at < 0 || at >= end) return
  const from = at + symbolKey.length
  const to = buf.indexOf(0x22, from)
  if (to < 0 || to >= end) return
  recording.push([now(), buf.toString('latin1', from, to), buf.toString('utf8', start, end)])
}

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

/** Latency is sampled on trade (and quote) messages only: bars and snapshots go out later by design (STREAM_DERIVED_MS). */
const isTrade = (buf: Buffer, start: number, end: number) =>
  cfg.protocol === 'sio'
    ? startsWith(buf, start, end, '42["trade"')
    : (buf[start + 9] === 0x74 && buf[start + 10] === 0x72 && startsWith(buf, start, end, '{"type":"trade"')) ||
      (cfg.channels !== undefined && buf[start + 9] === 0x71 && startsWith(buf, start, end, '{"type":"quote"'))

const startsWith = (buf: Buffer, start: number, end: number, prefix: string) =>
  end - start >= prefix.length && buf.toString('latin1', start, start + prefix.length) === prefix

function onMessageMw(c: WireConn<ConnState>, buf: Buffer, start: number, end: number): void {
  // Every frame is {"type":"<x>…; only heartbeats and, before readiness, the subscribe reply matter.
  const x = buf[start + 9]
  if (x === 0x68 && startsWith(buf, start, end, '{"type":"heartbeat"')) {
    c.data.heartbeats++
    if (cfg.pingOnHeartbeat) c.sendText('{"action":"ping"}')
  } else if (x === 0x70 && startsWith(buf, start, end, '{"type":"pong"')) c.data.pongs++
  else if (x === 0x73 && buf[start + 10] === 0x74 && startsWith(buf, start, end, '{"type":"status"')) statuses++
  else if (c.data.ready) return
  else if (startsWith(buf, start, end, '{"type":"subscribed"')) c.data.done(true)
  else if (cfg.symbolsPerConn === 0 && startsWith(buf, start, end, '{"type":"welcome"')) c.data.done(true)
  else if (startsWith(buf, start, end, '{"type":"error"')) {
    const text = buf.toString('utf8', start, Math.min(end, start + 200))
    // The server could not check the watchlist right now ("try again"): ask again later, as the client does.
    if (cfg.reconnect && text.includes('"INTERNAL_ERROR"') && c.data.retries < 6) {
      c.data.retries++
      reconnects++
      setTimeout(() => c.sendText(subscribeFrame(c.data.index)), backoffMs(c.data.retries))
    } else c.data.done(false, text)
  }
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
    else c.sendText(`420${JSON.stringify(['subscribe', blockSymbols(c.data.index, cfg.symbolsPerConn)])}`)
  } else if (head.startsWith('430')) c.data.done(true)
  else if (head.startsWith('44')) c.data.done(false, buf.toString('utf8', start, Math.min(end, start + 200)))
}

const onMessage = cfg.protocol === 'sio' ? onMessageSio : onMessageMw
const recordFirst = cfg.recordFirst ?? 0
const trackQuotesFirst = cfg.trackQuotesFirst ?? 0
/** While on: connection index → symbol → `t|bid|ask` of the last quote message (parsed only for the tracked connections, only then). */
let trackingQuotes = false
let lastQuotes = new Map<number, Map<string, string>>()

function trackQuote(index: number, buf: Buffer, start: number, end: number): void {
  if (!startsWith(buf, start, end, '{"type":"quote"')) return
  const m = JSON.parse(buf.toString('utf8', start, end)) as {
    symbol: string
    data: { t: number; bid: number; ask: number }
  }
  let bySymbol = lastQuotes.get(index)
  if (!bySymbol) lastQuotes.set(index, (bySymbol = new Map()))
  bySymbol.set(m.symbol, `${m.data.t}|${m.data.bid}|${m.data.ask}`)
}

const events = {
  open(c: WireConn<ConnState>) {
    if (cfg.protocol === 'sio') return
    if (cfg.symbolsPerConn === 0) return cfg.awaitWelcome ? undefined : c.data.done(true)
    c.sendText(subscribeFrame(c.data.index))
  },
  message(c: WireConn<ConnState>, buf: Buffer, start: number, end: number) {
    msgs++
    bytes += end - start
    if ((msgs & sampleMask) === 0 && isTrade(buf, start, end)) sample(buf, start, end)
    if (c.data.index < recordFirst && c.data.ready) record(buf, start, end)
    if (trackingQuotes && c.data.index < trackQuotesFirst && buf[start + 9] === 0x71)
      trackQuote(c.data.index, buf, start, end)
    if (buf[start] === 0x7b || cfg.protocol === 'sio') onMessage(c, buf, start, end)
  },
  close(c: WireConn<ConnState>, code: number, reason: string) {
    closed++
    closeCodes[code] = (closeCodes[code] ?? 0) + 1
    if (c.data.ready) return
    if (cfg.reconnect && retryable.has(code) && c.data.retries < 6) return c.data.retry()
    c.data.done(false, `closed ${code} ${reason}`.trim())
  },
}

/** Close codes a client reconnects after (docs/websocket-protocol.md), and a link dropped before any code. */
const retryable = new Set([0, 1006, 4000, 4003, 4005])
let reconnects = 0
const backoffMs = (attempt: number) => Math.min(5000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2)
const subscribeFrame = (index: number) =>
  JSON.stringify({
    action: 'subscribe',
    symbols: blockSymbols(index, cfg.symbolsPerConn),
    ...(cfg.channels ? { channels: cfg.channels } : {}),
  })

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
        heartbeats: 0,
        pongs: 0,
        retries: 0,
        retry() {
          state.retries++
          reconnects++
          setTimeout(open, backoffMs(state.retries))
        },
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
      const open = () =>
        void connectWire(
          { host: cfg.host, port: cfg.port, path: pathFor(index), localAddress: local },
          state,
          events,
        ).then((c) => conns.push(c))
      open()
    }).then(one)
  }
  const workers = Array.from({ length: Math.min(cfg.connectConcurrency, cfg.count) }, one)
  const all = Promise.all(workers)
  const timedOut = await Promise.race([all.then(() => false), Bun.sleep(timeoutMs).then(() => true)])
  return { ready, failed, reconnects, timedOut, ms: Math.round(performance.now() - t0), errors: errors.slice(0, 5) }
}

await serveCommands(async (m) => {
  switch (m.cmd) {
    case 'connect':
      return connectAll(m.timeoutMs ?? 120_000)
    case 'snap': {
      const open = conns.filter((c) => c.open)
      return {
        at: now(),
        msgs,
        bytes,
        closed,
        statuses,
        closeCodes,
        open: open.length,
        // Open connections that have had a heartbeat, and whose ping after it was answered.
        heartbeated: open.filter((c) => c.data.heartbeats > 0).length,
        answered: open.filter((c) => c.data.pongs > 0).length,
      }
    }
    case 'lag': {
      const sorted = recent.subarray(0, nRecent).sort()
      const at = (p: number) => (nRecent ? sorted[Math.min(nRecent - 1, Math.floor(p * nRecent))]! : null)
      const out = { n: nRecent, p50: at(0.5), p99: at(0.99), msgs }
      nRecent = 0
      return out
    }
    case 'recording': {
      const out = recording
      recording = []
      return { messages: out }
    }
    case 'trackQuotes':
      if (m.on) lastQuotes = new Map()
      trackingQuotes = Boolean(m.on)
      return { on: trackingQuotes }
    case 'lastQuotes':
      return { byConnection: Object.fromEntries([...lastQuotes].map(([i, q]) => [i, Object.fromEntries(q)])) }
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
