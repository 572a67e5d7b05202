/** Bench upstream process: a Massive-compatible stocks feed (and the few REST calls the service makes) pushing trades at max rate under TCP backpressure, or at a set rate. */
import type { ServerWebSocket } from 'bun'
import { reply, serveCommands } from '../lib/io'
import { universe } from '../lib/market'

interface Feed {
  authed: boolean
  symbols: string[]
  paused: boolean
}

/** Trades per frame (Massive batches events into JSON arrays). */
const batch = Number(process.env.UPSTREAM_BATCH ?? 25)
/** NBBO quotes (`Q`) sent after each trade of a symbol (the quotes workload: 5); 0 = trades only. */
const quotesPerTrade = Number(process.env.UPSTREAM_QUOTES_PER_TRADE ?? 0)
const known = new Set(universe)
/**
 * The order trades cycle through the symbols: a fixed shuffle of the universe, the same for every
 * server whatever order it subscribed in. Real trades come in no particular symbol order; cycling
 * in universe order would hand the clients' consecutive symbol blocks to a few sockets at a time
 * (a locality no real feed has), and in subscription order it would differ between servers.
 */
const tradeOrder = new Map(shuffled(universe, 0x5eed).map((sym, i) => [sym, i]))

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items]
  let x = seed
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0
    const j = x % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
const feeds = new Set<ServerWebSocket<Feed>>()
let mode: 'off' | 'max' | 'rate' | 'replay' = 'off'
let rate = 0
let events = 0
let quotes = 0
let frames = 0
let cursor = 0
let q = 0
let rateStart = 0
let rateSent = 0
let skipped = 0
/** Per symbol, the last quote sent (`t|bid|ask`): what every subscriber must end up holding once the feed stops. */
const lastQuote = new Map<string, string>()

const status = (status: string, message: string) => JSON.stringify([{ ev: 'status', status, message }])

/** One frame of `n` trades for the socket's symbols, round-robin in trade order; every trade is stamped now. */
function tradeFrame(feed: Feed, n: number): string {
  const t = Date.now()
  let out = '['
  for (let i = 0; i < n; i++) {
    const sym = feed.symbols[cursor++ % feed.symbols.length]
    q++
    const p = 100 + (q % 1000) / 100
    out += `${i ? ',' : ''}{"ev":"T","sym":"${sym}","i":"${q}","x":4,"p":${p},"s":${1 + (q % 300)},"c":[],"t":${t},"q":${q},"z":3}`
    for (let k = 0; k < quotesPerTrade; k++)
      out += `,{"ev":"Q","sym":"${sym}","bx":4,"bp":${(p * 100 - 1 - k) / 100},"bs":${1 + k},"ax":7,"ap":${(p * 100 + 1 + k) / 100},"as":${2 + k},"c":0,"i":[],"t":${t},"q":${q * 8 + k},"z":3}`
    if (quotesPerTrade > 0) {
      const k = quotesPerTrade - 1
      lastQuote.set(sym!, `${t}|${(p * 100 - 1 - k) / 100}|${(p * 100 + 1 + k) / 100}`)
    }
  }
  events += n
  quotes += n * quotesPerTrade
  frames++
  return out + ']'
}

/** Max mode: send until the socket pushes back (send returns -1), then wait for drain. */
function pump(ws: ServerWebSocket<Feed>): void {
  if (mode !== 'max' || !ws.data.authed || ws.data.symbols.length === 0 || ws.readyState !== 1) return
  for (let i = 0; i < 64; i++) {
    const r = ws.send(tradeFrame(ws.data, batch))
    if (r === -1 || r === 0) {
      ws.data.paused = true
      return
    }
  }
  setImmediate(() => pump(ws))
}

function startMax(): void {
  for (const ws of feeds) pump(ws)
}

/**
 * Rate mode: every millisecond, send the trades that are due. A feed whose socket pushes back
 * (the consumer is not reading) skips them: `skipped` tells the bench the consumer is saturated.
 */
const rateTimer = setInterval(() => {
  if (mode === 'replay') return replayTick()
  if (mode !== 'rate') return
  const live = [...feeds].filter((ws) => ws.data.authed && ws.data.symbols.length > 0)
  if (live.length === 0) return
  // A late timer catches up at most 20 ms worth, so a stall does not turn into a burst.
  let due = Math.min(Math.floor(((performance.now() - rateStart) * rate) / 1000) - rateSent, Math.ceil(rate / 50))
  rateSent = Math.floor(((performance.now() - rateStart) * rate) / 1000) - due
  while (due > 0) {
    const n = Math.min(batch, due)
    for (const ws of live) {
      // Beyond a small send buffer, trades are skipped rather than queued: a queue here would be
      // seconds of stale backlog for a slow consumer, and the skips tell the controller to back off.
      if (ws.data.paused || ws.getBufferedAmount() > 64 * 1024) skipped += n
      else if (ws.send(tradeFrame(ws.data, n)) === -1) ws.data.paused = true
    }
    rateSent += n
    due -= n
  }
}, 1)

/**
 * Replay mode: messages another server sent (recorded by the bench's clients, with their receipt
 * times) are sent again at the same offsets from the start of the replay, in frames of
 * `R\n<symbol>\t<payload>\n…`; their `event_ts` and `ts` move by the time between the recording
 * and the replay, so latency reads the same way. The bare server publishes each payload as is:
 * both servers then deliver the same messages at the same times.
 */
let replay: { origin: number; messages: [number, string, string][] } | null = null
let replayAt = 0
let replayNext = 0

function replayTick(): void {
  if (mode !== 'replay' || replay === null) return
  const elapsed = Date.now() - replayAt
  const shift = replayAt - replay.origin
  let out = 'R'
  let n = 0
  while (replayNext < replay.messages.length && replay.messages[replayNext]![0] - replay.origin <= elapsed) {
    const [, symbol, payload] = replay.messages[replayNext++]!
    out += `\n${symbol}\t${payload.replace(/"(event_ts|ts)":(\d+)/g, (_, k: string, v: string) => `"${k}":${Number(v) + shift}`)}`
    n++
  }
  if (n === 0) return
  for (const ws of feeds) {
    if (!ws.data.authed) continue
    if (ws.getBufferedAmount() > 1024 * 1024) skipped += n
    else ws.send(out)
  }
  events += n
  frames++
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const server = Bun.serve<Feed>({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req, srv) {
    const url = new URL(req.url)
    if (url.pathname === '/stocks') {
      if (srv.upgrade(req, { data: { authed: false, symbols: [], paused: false } })) return
      return new Response('upgrade required', { status: 426 })
    }
    const ticker = /^\/v3\/reference\/tickers\/([^/]+)$/.exec(url.pathname)?.[1]
    if (ticker) {
      const t = decodeURIComponent(ticker)
      return known.has(t)
        ? json({ status: 'OK', request_id: 'bench', results: { ticker: t, market: 'stocks', active: true } })
        : json({ status: 'NOT_FOUND', request_id: 'bench', message: 'not found' }, 404)
    }
    if (url.pathname.startsWith('/v2/snapshot/')) {
      const list = (url.searchParams.get('tickers') ?? '').split(',').filter((t) => known.has(t))
      const now = Date.now()
      return json({
        status: 'OK',
        tickers: list.map((t) => ({
          ticker: t,
          updated: now * 1e6,
          lastTrade: { p: 100, s: 1, t: now * 1e6 },
          prevDay: { o: 99, h: 101, l: 98, c: 99.5, v: 1e6 },
          day: { o: 99.5, h: 100.5, l: 99, c: 100, v: 5e5 },
        })),
      })
    }
    if (url.pathname.startsWith('/v2/aggs/')) return json({ status: 'OK', resultsCount: 0, results: [] })
    return json({ status: 'NOT_FOUND' }, 404)
  },
  websocket: {
    backpressureLimit: 4 * 1024 * 1024,
    open(ws) {
      feeds.add(ws)
      ws.send(status('connected', 'Connected Successfully'))
    },
    message(ws, raw) {
      let msg: { action?: string; params?: string }
      try {
        msg = JSON.parse(String(raw))
      } catch {
        return
      }
      if (msg.action === 'auth') {
        ws.data.authed = true
        ws.send(status('auth_success', 'authenticated'))
      } else if (msg.action === 'subscribe' || msg.action === 'unsubscribe') {
        const channels = (msg.params ?? '').split(',').filter(Boolean)
        const syms = new Set(ws.data.symbols)
        for (const ch of channels) {
          const sym = ch.slice(ch.indexOf('.') + 1)
          if (!ch.startsWith('T.')) continue
          if (msg.action === 'subscribe') syms.add(sym)
          else syms.delete(sym)
        }
        ws.data.symbols = [...syms].sort((a, b) => (tradeOrder.get(a) ?? 0) - (tradeOrder.get(b) ?? 0))
        ws.send(
          JSON.stringify(
            channels.map((c) => ({ ev: 'status', status: 'success', message: `${msg.action}d to: ${c}` })),
          ),
        )
        if (msg.action === 'subscribe') pump(ws)
      }
    },
    drain(ws) {
      if (ws.data.paused) {
        ws.data.paused = false
        pump(ws)
      }
    },
    close(ws) {
      feeds.delete(ws)
    },
  },
})

reply({ ready: true, port: server.port })

await serveCommands(
  async (m) => {
    switch (m.cmd) {
      case 'mode':
        if (m.mode !== mode || m.restart) {
          rateStart = performance.now()
          rateSent = 0
        } else if (m.mode === 'rate') {
          // Keep the schedule continuous across rate changes.
          rateSent = Math.floor(((performance.now() - rateStart) * Number(m.rate ?? 0)) / 1000)
        }
        mode = m.mode
        rate = Number(m.rate ?? 0)
        if (mode === 'max') startMax()
        if (mode === 'replay') {
          replay = JSON.parse(await Bun.file(String(m.file)).text())
          replayAt = Date.now()
          replayNext = 0
        }
        return { mode, rate }
      case 'stats':
        return {
          at: performance.timeOrigin + performance.now(),
          events,
          quotes,
          skipped,
          frames,
          feeds: feeds.size,
          subscribed: [...feeds].map((ws) => ws.data.symbols.length),
        }
      case 'lastQuotes':
        return { bySymbol: Object.fromEntries(lastQuote) }
      default:
        throw new Error(`unknown command ${m.cmd}`)
    }
  },
  {
    onExit: () => {
      clearInterval(rateTimer)
      server.stop(true)
    },
  },
)
