/** Workloads 1 and 2: fan-out throughput at the max sustained rate (found by a lag-bounded rate controller) and latency at 50% and 90% of it. */
import { join } from 'node:path'
import { Child, CpuMeter, machineBusySec, procUsage } from '../lib/child'
import { round, summarize, sleep, type LatencySummary } from '../lib/stats'
import { countPublishes, countShardedPublishes } from '../lib/redis-counter'
import { RedisClusterDeployment } from '../../test/support/cluster-harness'
import { settle, spawnFleet } from './clients'
import { universe } from '../lib/market'
import { publishedQuotes, runEqualRate, type EqualRateResult } from './quotes-equal-rate'
import { PendingError, startTarget, targetLabel, type TargetKind } from './targets'

export interface FanoutCase {
  kind: TargetKind
  clients: number
  flushMs?: number
  /** Service only: replicas on one Redis and one PostgreSQL (workload 4). @default 1 */
  replicas?: number
  /** Service only: run with REDIS_URL even as one replica (the reference for workload 4). */
  redis?: boolean
  /** Service only: shared PostgreSQL for replicas. */
  databaseUrl?: string
  /** Measure latency at 50% of the max rate only (baselines and replicas: keeps the run under 10 minutes). */
  latency50Only?: boolean
  /** Service only: the replicas on a private Redis Cluster (three primaries) instead of one Redis. */
  cluster?: boolean
  /** Service only: clients connect through nginx in front of the replicas. */
  balancer?: boolean
  /** The quotes workload: the upstream sends this many NBBO quotes after each trade, and clients subscribe all four channels. */
  quotesPerTrade?: number
  /**
   * The quotes workload: after the max rate, a fixed-rate phase at this many trades per second, or
   * at this share of the max just found (bare Bun's; its rate, passed to the service, puts both at the same load).
   */
  equalRate?: number | { ofOwnMax: number }
}

export interface FanoutSettings {
  warmupMs: number
  measureMs: number
  latencyMs: number
  /** Run workload 2 (latency at 50% and 90% of the max rate). */
  latency: boolean
  redisUrl: string
  redisPrefix: string
  localAddresses: string[]
  symbolsPerConn: number
}

export interface FanoutResult {
  target: string
  kind: TargetKind
  flushMs: number | null
  clients: number
  status: 'ok' | 'pending' | 'failed'
  note?: string
  connectMs?: number
  /** Messages received by all clients per second during the measure window. */
  deliveredPerSec?: number
  /** Upstream trade events per second the target absorbed at the max sustained rate. */
  eventsPerSec?: number
  /** Deliveries per upstream event (≈ subscribers per symbol; less with coalescing, more with several message kinds). */
  fanoutPerEvent?: number
  lagP99Ms?: number | null
  /** Server CPU per delivered message, µs: less sensitive to the machine's noise than the rate itself. */
  serverUsPerDelivery?: number
  /** Average payload of a delivered message, bytes. */
  bytesPerMessage?: number
  /** Cores during the measure window; `others` = the rest of the machine's busy time (noise). */
  cpu?: { server: number; loadgen: number; upstream: number; others: number }
  serverRssMB?: number
  closes?: Record<string, number>
  /** `status` messages clients received in the measure window (the service sends one per switch to or from conflation). */
  statusMessages?: number
  serverStats?: Record<string, unknown> | null
  latency?: { at50: LatencySummary & { rate: number }; at90?: LatencySummary & { rate: number } }
  replicas?: number
  /** How the replicas share Redis and take clients (workload 4): e.g. `one Redis`, `Redis Cluster via nginx`. */
  topology?: string
  /** The rate controller's ticks (rate set, lag p50/p99, skipped upstream trades), warm-up then measure. */
  controller?: { rate: number; p50: number | null; p99: number | null; skipped: number }[]
  /** Redis Pub/Sub messages under the run's prefix per upstream event (service with Redis only). */
  redisPublishesPerEvent?: number | null
  /**
   * The quotes workload: upstream quotes per second, quote messages the target published per second
   * (the service: one per symbol per flush window at most; bare Bun: every quote), and the share of
   * upstream quotes conflated away before publishing.
   */
  quotes?: { perTrade: number; upstreamPerSec: number; publishedPerSec: number | null; conflatedAway: number | null }
  /** The quotes workload at bare Bun's max trade rate, the same for both servers (quotes-equal-rate.ts). */
  equalRate?: EqualRateResult
}

/** Lag (p99, ms) the controller allows on top of the flush window before it backs off. */
const lagAllowanceMs = 50

export async function runFanoutCase(c: FanoutCase, s: FanoutSettings, log: (m: string) => void): Promise<FanoutResult> {
  const base: FanoutResult = {
    target: targetLabel(c.kind, c.flushMs),
    kind: c.kind,
    flushMs: c.kind === 'service' ? (c.flushMs ?? 100) : null,
    clients: c.clients,
    status: 'ok',
    replicas: c.replicas ?? 1,
  }
  if (c.kind === 'service' && (c.redis || (c.replicas ?? 1) > 1))
    base.topology = `${c.cluster ? 'Redis Cluster' : 'one Redis'}${c.balancer ? ' via nginx' : ''}`
  const upstream = new Child('upstream', ['bun', join(import.meta.dir, '..', 'load', 'upstream.ts')], {
    env: c.quotesPerTrade ? { UPSTREAM_QUOTES_PER_TRADE: String(c.quotesPerTrade) } : undefined,
  })
  let target: Awaited<ReturnType<typeof startTarget>> | null = null
  let fleet: ReturnType<typeof spawnFleet> | null = null
  // Three primaries, no replicas: what is measured is the bus, not failover.
  const cluster = c.cluster ? new RedisClusterDeployment(3) : null
  try {
    await cluster?.start()
    const { port: upstreamPort } = await upstream.next((m) => m.ready, 30_000)
    target = await startTarget(c.kind, {
      upstreamPort,
      clients: c.clients,
      flushMs: c.flushMs,
      redisUrl: s.redisUrl,
      redisPrefix: s.redisPrefix,
      replicas: c.replicas,
      databaseUrl: c.databaseUrl,
      env: c.redis && !cluster ? { REDIS_URL: s.redisUrl } : undefined,
      redisClusterNodes: cluster?.nodesSetting,
      balancer: c.balancer,
    })
    base.target = target.label
    // One tracked client per block of symbols: together they hold every symbol once.
    const blocks = Math.floor(universe.length / s.symbolsPerConn)
    const redisCounter = cluster
      ? countShardedPublishes(cluster.nodes)
      : c.kind === 'service' && (c.redis || (c.replicas ?? 1) > 1)
        ? await countPublishes(s.redisUrl, `${s.redisPrefix}:mw`)
        : null
    if (c.kind === 'sio') base.note = await checkOfficialClient(upstream, target.ports[0]!, target.tokens[0]!)
    fleet = spawnFleet(target, {
      clients: c.clients,
      perProcess: 2500,
      symbolsPerConn: s.symbolsPerConn,
      localAddresses: s.localAddresses,
      channels: c.quotesPerTrade ? ['trades', 'quotes', 'bars', 'snapshots'] : undefined,
      trackQuotesFirst: c.quotesPerTrade ? blocks : undefined,
    })
    const conn = await fleet.connect(c.clients)
    base.connectMs = conn.ms
    log(`  ${c.clients} clients ready in ${conn.ms} ms`)

    const targetLag = (base.flushMs ?? 0) + lagAllowanceMs
    const control = new RateController(upstream, fleet, targetLag)
    await control.run(s.warmupMs)
    const tgt = target
    const cpuServer = new CpuMeter(() => tgt.pids())
    const cpuLoad = new CpuMeter(() => fleet!.pids())
    const cpuUp = new CpuMeter(() => [upstream.pid])
    const quoteCount = () => (c.quotesPerTrade ? publishedQuotes(tgt) : Promise.resolve(null))
    const [snap0, up0, q0] = await Promise.all([fleet.snap(), upstream.ask('stats'), quoteCount()])
    const pubs0 = (await redisCounter?.count()) ?? 0
    await Promise.all([cpuServer.start(), cpuLoad.start(), cpuUp.start()])
    const busy0 = await machineBusySec()
    const t0 = performance.now()
    const lagP99 = await control.run(s.measureMs)
    const [snap1, up1, q1] = await Promise.all([fleet.snap(), upstream.ask('stats'), quoteCount()])
    const pubs = ((await redisCounter?.count()) ?? 0) - pubs0
    await redisCounter?.close()
    const busy = (await machineBusySec()) - busy0
    const windowSec = (performance.now() - t0) / 1000
    const cpu = { server: await cpuServer.end(), loadgen: await cpuLoad.end(), upstream: await cpuUp.end() }
    // Everything else on the machine (other people's work, the bench runner, the kernel's softirqs).
    const others = Math.max(0, busy / windowSec - cpu.server - cpu.loadgen - cpu.upstream)
    const sec = (snap1.at - snap0.at) / 1000
    const delivered = (snap1.msgs - snap0.msgs) / sec
    const events = (up1.events - up0.events) / ((up1.at - up0.at) / 1000)
    Object.assign(base, {
      deliveredPerSec: Math.round(delivered),
      eventsPerSec: Math.round(events),
      fanoutPerEvent: round(delivered / events, 1),
      serverUsPerDelivery: round((cpu.server / delivered) * 1e6, 2),
      bytesPerMessage: Math.round((snap1.bytes - snap0.bytes) / (snap1.msgs - snap0.msgs)),
      lagP99Ms: lagP99 === null ? null : round(lagP99, 1),
      cpu: {
        server: round(cpu.server, 2),
        loadgen: round(cpu.loadgen, 2),
        upstream: round(cpu.upstream, 2),
        others: round(others, 2),
      },
      serverRssMB: round(((await procUsage(tgt.pids()[0]!))?.rssBytes ?? 0) / 2 ** 20, 1),
      closes: snap1.closeCodes,
      statusMessages: snap1.statuses - snap0.statuses,
      serverStats: await tgt.stats(),
      controller: control.trace,
      redisPublishesPerEvent: redisCounter ? round(pubs / (up1.events - up0.events), 3) : undefined,
    })
    if (c.quotesPerTrade) {
      const upSec = (up1.at - up0.at) / 1000
      const quotesIn = up1.quotes - up0.quotes
      const out = q0 !== null && q1 !== null ? q1 - q0 : null
      base.quotes = {
        perTrade: c.quotesPerTrade,
        upstreamPerSec: Math.round(quotesIn / upSec),
        publishedPerSec: out === null ? null : Math.round(out / upSec),
        conflatedAway: out === null || quotesIn === 0 ? null : round(Math.max(0, 1 - out / quotesIn), 3),
      }
      log(`  quotes: ${JSON.stringify(base.quotes)}`)
    }
    log(`  delivered ${base.deliveredPerSec}/s from ${base.eventsPerSec} events/s; cpu ${JSON.stringify(base.cpu)}`)
    if (c.equalRate !== undefined && events > 0) {
      const rate = typeof c.equalRate === 'number' ? c.equalRate : Math.round(events * c.equalRate.ofOwnMax)
      log(`  equal-rate phase: ${rate} trades/s`)
      base.equalRate = await runEqualRate({
        upstream,
        fleet,
        target: tgt,
        flushMs: base.flushMs,
        clients: c.clients,
        symbolsPerConn: s.symbolsPerConn,
        tracked: blocks,
        tradesPerSec: rate,
        measureMs: s.measureMs,
      })
      const { lag, ...rest } = base.equalRate
      log(`  at ${rate} trades/s: ${JSON.stringify(rest)}; lag ${JSON.stringify(lag)}`)
    }
    if (s.latency && events > 0) {
      const at = async (share: number) => {
        const rate = Math.max(1, Math.round(events * share))
        await upstream.ask('mode', { mode: 'rate', rate })
        await settle(fleet!, targetLag / 2, 10_000)
        await sleep(1000)
        await fleet!.latencies()
        await fleet!.lag()
        await sleep(s.latencyMs)
        return { rate, ...summarize(await fleet!.latencies()) }
      }
      base.latency = { at50: await at(0.5) }
      if (!c.latency50Only) base.latency.at90 = await at(0.9)
      log(`  latency at 50%: ${JSON.stringify(base.latency.at50)}; at 90%: ${JSON.stringify(base.latency.at90 ?? '—')}`)
    }
    await upstream.ask('mode', { mode: 'off' })
    return base
  } catch (e) {
    if (e instanceof PendingError) return { ...base, status: 'pending', note: e.message }
    return { ...base, status: 'failed', note: e instanceof Error ? e.message.slice(0, 500) : String(e) }
  } finally {
    await fleet?.close().catch(() => {})
    await target?.stop().catch(() => {})
    await upstream.stop()
    await cluster?.stop()
  }
}

/** Proves baseline (b) serves the official socket.io-client (the load generator speaks the same protocol on raw sockets). */
async function checkOfficialClient(upstream: Child, port: number, token: string): Promise<string> {
  await upstream.ask('mode', { mode: 'rate', rate: 2000 })
  const p = Bun.spawn(
    [
      'node',
      join(import.meta.dir, '..', 'baselines', 'socketio', 'check.mjs'),
      `http://127.0.0.1:${port}`,
      token,
      'AAPL',
    ],
    {
      stdout: 'pipe',
      stderr: 'pipe',
    },
  )
  const out = (await new Response(p.stdout).text()).trim()
  await p.exited
  await upstream.ask('mode', { mode: 'off' })
  const r = JSON.parse(out || '{}')
  if (!r.ok) throw new Error(`socket.io-client check failed: ${out} ${await new Response(p.stderr).text()}`)
  return `official socket.io-client check passed (trade of ${r.bytes} bytes)`
}

/**
 * AIMD on the upstream rate, every 250 ms. A queue that grows anywhere (upstream socket, server,
 * kernel buffers, clients) shows as a rising median delivery lag, so the controller backs off
 * (×0.8) when the clients' lag p50 exceeds the target or the target stops reading the upstream
 * (TCP backpressure: skipped trades), and grows (×1.2, then ×1.05 near the target) while the
 * median lag is well under it. The p50 rather than the p99 keeps scheduler noise on a shared
 * 2-core machine from passing for saturation; the p99 is reported.
 */
class RateController {
  /** Starts low: an overshoot on a slow target fills the upstream pipe with seconds of backlog. */
  private rate = 200
  readonly trace: { rate: number; p50: number | null; p99: number | null; skipped: number }[] = []
  constructor(
    private readonly upstream: Child,
    private readonly fleet: ReturnType<typeof spawnFleet>,
    private readonly targetLagMs: number,
  ) {}

  /** Runs for `ms`; returns the worst p99 lag seen in its last half (null without samples). */
  async run(ms: number): Promise<number | null> {
    const end = performance.now() + ms
    const half = performance.now() + ms / 2
    let worst: number | null = null
    let last = await this.upstream.ask('mode', { mode: 'rate', rate: this.rate }).then(() => this.upstream.ask('stats'))
    while (performance.now() < end) {
      await sleep(250)
      const [lag, up] = await Promise.all([this.fleet.lag(), this.upstream.ask('stats')])
      const skipped = up.skipped - last.skipped
      last = up
      if (lag.p99 !== null && performance.now() >= half) worst = Math.max(worst ?? 0, lag.p99)
      const p50 = lag.p50
      const t = this.targetLagMs
      if (p50 !== null && p50 > 3 * t) this.rate *= 0.5
      else if (skipped > 0 || (p50 !== null && p50 > t)) this.rate *= 0.8
      else if (p50 !== null && p50 < t / 3) this.rate *= 1.3
      else if (p50 !== null && p50 < t / 1.5) this.rate *= 1.05
      this.rate = Math.min(5_000_000, Math.max(10, Math.round(this.rate)))
      this.trace.push({
        rate: this.rate,
        p50: p50 === null ? null : round(p50, 1),
        p99: lag.p99 === null ? null : round(lag.p99, 1),
        skipped,
      })
      if (process.env.BENCH_VERBOSE)
        process.stderr.write(
          `    rate ${this.rate} lag p50 ${p50?.toFixed(1)} p99 ${lag.p99?.toFixed(1)} skipped ${skipped}\n`,
        )
      await this.upstream.ask('mode', { mode: 'rate', rate: this.rate })
    }
    return worst
  }
}
