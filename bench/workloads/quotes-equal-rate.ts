/** Workload 1c's second phase: bare Bun and the service at the same upstream rate (bare Bun's max): what each server's CPU buys at equal load — the service with its conflation (fewer messages owed), bare Bun forwarding every event; µs per delivered message is reported beside it. */
import type { Child } from '../lib/child'
import { CpuMeter, machineBusySec } from '../lib/child'
import { blockSymbols, universe } from '../lib/market'
import { round, sleep, summarize, type LatencySummary } from '../lib/stats'
import { settle, type ClientFleet } from './clients'
import type { Target } from './targets'

export interface EqualRateResult {
  /** Upstream trades per second asked of both servers: bare Bun's max sustained trade rate in the same run. */
  tradesPerSecSet: number
  /** Trades and quotes the upstream sent per second over the window (skipped ones are not sent). */
  upstreamTradesPerSec: number
  upstreamQuotesPerSec: number
  /** Upstream trades skipped in the window because the server stopped reading (0 = kept up). */
  skipped: number
  deliveredPerSec: number
  /** Quote messages published per second, and those owed: bare Bun every quote of a subscribed symbol; the service one per subscribed symbol per flush window that held a quote. */
  quotesPublishedPerSec: number | null
  quotesOwedPerSec: number
  /** 1 − quote messages published ÷ upstream quotes. */
  conflatedAway: number | null
  /** Cores over the window: server, load generators, the rest of the machine. */
  cpu: { server: number; loadgen: number; others: number }
  /**
   * Trades + quotes the server itself counted as handled per second (bare Bun; null for the
   * service, which keeps up or is flagged): a server behind at this rate works off backlog sent
   * before the window, which the upstream's count would not credit.
   */
  serverEventsPerSec: number | null
  /** Server CPU per upstream event (a trade or a quote) it handled, µs. */
  cpuUsPerEvent: number
  /** Upstream events (trades + quotes) absorbed per server CPU-second. */
  eventsPerCpuSec: number
  /** Upstream event time → receipt of trade and quote messages over the window (for a conflated quote: the staleness of the latest quote). */
  lag: LatencySummary
  /**
   * After the upstream stopped: (client, symbol) pairs of the tracked clients (one per symbol block,
   * so every symbol) whose last quote message is the upstream's last quote of that symbol.
   */
  latestQuote: { pairs: number; latest: number; waitedMs: number }
}

export interface EqualRateInput {
  upstream: Child
  fleet: ClientFleet
  target: Target
  flushMs: number | null
  clients: number
  symbolsPerConn: number
  /** Connections that track their last quotes (spawnFleet's trackQuotesFirst). */
  tracked: number
  tradesPerSec: number
  measureMs: number
}

/** Runs the upstream at `tradesPerSec` (fixed, no controller), measures one window, then checks every tracked client holds each symbol's latest quote. */
export async function runEqualRate(i: EqualRateInput): Promise<EqualRateResult> {
  const { upstream, fleet, target } = i
  const flush = i.flushMs ?? 0
  await upstream.ask('mode', { mode: 'rate', rate: i.tradesPerSec })
  // The previous phase's backlog (the service ran far above this rate) drains first.
  await settle(fleet, (flush + 50) / 2, 5000)
  await sleep(500)
  await fleet.latencies()
  const cpuServer = new CpuMeter(() => target.pids())
  const cpuLoad = new CpuMeter(() => fleet.pids())
  const [snap0, up0, q0, own0] = await Promise.all([
    fleet.snap(),
    upstream.ask('stats'),
    publishedQuotes(target),
    handled(target),
  ])
  await Promise.all([cpuServer.start(), cpuLoad.start()])
  const busy0 = await machineBusySec()
  const t0 = performance.now()
  // Drain the lag buffer now and then (the controller's feedback, unused here) so it never fills.
  while (performance.now() - t0 < i.measureMs) {
    await sleep(Math.min(250, i.measureMs - (performance.now() - t0)))
    await fleet.lag()
  }
  const [snap1, up1, q1, own1] = await Promise.all([
    fleet.snap(),
    upstream.ask('stats'),
    publishedQuotes(target),
    handled(target),
  ])
  const server = await cpuServer.end()
  const loadgen = await cpuLoad.end()
  const windowSec = (performance.now() - t0) / 1000
  const others = Math.max(0, ((await machineBusySec()) - busy0) / windowSec - server - loadgen)
  const lag = summarize(await fleet.latencies())

  const upSec = (up1.at - up0.at) / 1000
  const trades = (up1.events - up0.events) / upSec
  const quotes = (up1.quotes - up0.quotes) / upSec
  const published = q0 !== null && q1 !== null ? (q1 - q0) / upSec : null
  const ownPerSec = own0 !== null && own1 !== null ? (own1 - own0) / upSec : null
  const absorbed = ownPerSec ?? trades + quotes
  // Symbols with subscribers, and the share of the upstream's quotes that fall on them.
  const feedSymbols = Math.max(1, ...(up1.subscribed as number[]))
  const clientSymbols = new Set(
    Array.from({ length: Math.min(i.clients, universe.length) }, (_, c) => blockSymbols(c, i.symbolsPerConn)).flat(),
  ).size
  const quotesPerSymbol = quotes / feedSymbols
  const owed =
    target.kind === 'service'
      ? clientSymbols * Math.min(quotesPerSymbol, 1000 / Math.max(1, flush))
      : clientSymbols * quotesPerSymbol

  const latestQuote = await checkLatestQuotes(i, feedSymbols)
  return {
    tradesPerSecSet: i.tradesPerSec,
    upstreamTradesPerSec: Math.round(trades),
    upstreamQuotesPerSec: Math.round(quotes),
    skipped: up1.skipped - up0.skipped,
    deliveredPerSec: Math.round((snap1.msgs - snap0.msgs) / ((snap1.at - snap0.at) / 1000)),
    quotesPublishedPerSec: published === null ? null : Math.round(published),
    quotesOwedPerSec: Math.round(owed),
    conflatedAway: published === null || quotes === 0 ? null : round(Math.max(0, 1 - published / quotes), 4),
    cpu: { server: round(server, 3), loadgen: round(loadgen, 2), others: round(others, 2) },
    serverEventsPerSec: ownPerSec === null ? null : Math.round(ownPerSec),
    cpuUsPerEvent: round((server / absorbed) * 1e6, 3),
    eventsPerCpuSec: Math.round(absorbed / server),
    lag,
    latestQuote,
  }
}

/**
 * Tracks the last quote of the first `tracked` clients, stops the upstream, and waits (polling,
 * at most flush + 3 s) until each holds the upstream's last quote of every symbol it subscribed.
 */
async function checkLatestQuotes(i: EqualRateInput, feedSymbols: number): Promise<EqualRateResult['latestQuote']> {
  await i.fleet.trackQuotes(true)
  // Long enough for every symbol to trade (and quote) about three times more while tracked.
  await sleep(Math.max(300, (3000 * feedSymbols) / Math.max(1, i.tradesPerSec)))
  await i.upstream.ask('mode', { mode: 'off' })
  const t0 = performance.now()
  const last = (await i.upstream.ask('lastQuotes')).bySymbol as Record<string, string>
  let result = { pairs: 0, latest: 0, waitedMs: 0 }
  while (true) {
    await sleep(100)
    const held = await i.fleet.lastQuotes()
    let pairs = 0
    let latest = 0
    for (let c = 0; c < Math.min(i.tracked, i.clients); c++)
      for (const sym of blockSymbols(c, i.symbolsPerConn)) {
        if (last[sym] === undefined) continue
        pairs++
        if (held[c]?.[sym] === last[sym]) latest++
      }
    result = { pairs, latest, waitedMs: Math.round(performance.now() - t0) }
    if (latest === pairs || performance.now() - t0 > (i.flushMs ?? 0) + 3000) break
  }
  await i.fleet.trackQuotes(false)
  return result
}

/** Trades + quotes the target counted as handled so far (bare Bun's stats), or null where it does not count them. */
async function handled(target: Target): Promise<number | null> {
  if (target.kind === 'service') return null
  const s = (await target.stats()) as { events?: number; quotes?: number } | null
  return s?.events === undefined ? null : s.events + (s.quotes ?? 0)
}

/**
 * Quote messages the target has published so far: the service's
 * `marketwatch_stream_messages_published_total{type="quote"}` (/metrics), bare Bun's own count.
 */
export async function publishedQuotes(target: Target): Promise<number | null> {
  if (target.kind !== 'service')
    return Number(((await target.stats()) as { quotes?: number } | null)?.quotes ?? Number.NaN)
  let total = 0
  for (const port of target.ports) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (r) => (r.ok ? r.text() : ''),
      () => '',
    )
    const m = /^marketwatch_stream_messages_published_total\{type="quote"\} (\d+)/m.exec(text)
    if (m === null) return null
    total += Number(m[1])
  }
  return total
}
