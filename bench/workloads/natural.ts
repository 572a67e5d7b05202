/** Workload 1b: fan-out at the simulated market's natural rate with default settings — server CPU per delivered message and the latency a default client sees, service against the bare server publishing the same messages at the same times. */
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Child, CpuMeter, procUsage } from '../lib/child'
import { universe } from '../lib/market'
import { round, sleep, summarize, type LatencySummary } from '../lib/stats'
import { spawnFleet } from './clients'
import { PendingError, startTarget, type TargetKind } from './targets'
import { usEquityCalendar } from '../../src/core/calendar'

export interface NaturalSettings {
  warmupMs: number
  measureMs: number
  redisUrl: string
  redisPrefix: string
  localAddresses: string[]
  symbolsPerConn: number
}

export interface NaturalResult {
  target: string
  kind: TargetKind
  clients: number
  status: 'ok' | 'failed'
  note?: string
  /** New York wall clock when the window started, and the market's trades per second for all 200 symbols over it. */
  newYorkTime?: string
  marketTradesPerSec?: number
  deliveredPerSec?: number
  /** Server CPU (user + system) per delivered message over the window, µs: the fixed tax shows here. */
  serverUsPerDelivery?: number
  serverCpuCores?: number
  loadgenCpuCores?: number
  bytesPerMessage?: number
  serverRssMB?: number
  /** Provider trade time → client receipt, trade messages only. */
  latency?: LatencySummary
  closes?: Record<string, number>
  /** Which service/bare pair of the run (--natural-rounds): each pair is compared within itself. */
  round?: number
}

const label = (kind: TargetKind, hours: MarketHours) =>
  kind === 'bun'
    ? 'bare Bun topic publish, the same messages replayed'
    : hours === 'always'
      ? 'service, default settings but SIMULATED_MARKET_HOURS=always (run outside regular hours: the midday rate; STREAM_FLUSH_MS=100)'
      : 'service, default settings (its simulated market, STREAM_FLUSH_MS=100)'

type MarketHours = 'calendar' | 'always'

/**
 * The simulated market's hours for this run: SIMULATED_MARKET_HOURS when set; else the calendar
 * during a regular session with at least 5 minutes left, and around the clock otherwise (the
 * regular session's midday rate), so a run at night or on a weekend still measures a market.
 */
function marketHoursForRun(now: number): MarketHours {
  const set = process.env.SIMULATED_MARKET_HOURS
  if (set === 'calendar' || set === 'always') return set
  const session = usEquityCalendar.sessionAt(now)
  return session.market === 'open' && session.until - now > 5 * 60_000 ? 'calendar' : 'always'
}

/**
 * The service runs as shipped, on its own simulated market; ten of its clients (one per symbol
 * block, so every symbol once) record every market message with its receipt time. The bare server
 * then gets exactly those messages from the bench upstream, replayed at the same offsets, and
 * publishes them as they are: both deliver the same messages at the same times to the same
 * clients, so what the service costs beyond the bare server per delivery is its fixed tax.
 */
export async function runNatural(
  clients: number,
  s: NaturalSettings,
  log: (m: string) => void,
): Promise<NaturalResult[]> {
  const file = join(tmpdir(), `mw-bench-replay-${process.pid}-${clients}.json`)
  const hoursBefore = process.env.SIMULATED_MARKET_HOURS
  // The service (a child process) and the market-rate count below read it.
  process.env.SIMULATED_MARKET_HOURS = marketHoursForRun(Date.now())
  try {
    log(`- service, ${clients} clients`)
    const service = await runCase('service', clients, s, log, file)
    if (service.status !== 'ok') return [service]
    log(`- bare Bun, ${clients} clients, the same messages`)
    return [service, await runCase('bun', clients, s, log, file)]
  } finally {
    rmSync(file, { force: true })
    if (hoursBefore === undefined) delete process.env.SIMULATED_MARKET_HOURS
    else process.env.SIMULATED_MARKET_HOURS = hoursBefore
  }
}

async function runCase(
  kind: 'bun' | 'service',
  clients: number,
  s: NaturalSettings,
  log: (m: string) => void,
  replayFile: string,
): Promise<NaturalResult> {
  const result: NaturalResult = { target: label(kind, process.env.SIMULATED_MARKET_HOURS as MarketHours), kind, clients, status: 'ok' }
  const upstream =
    kind === 'bun' ? new Child('upstream', ['bun', join(import.meta.dir, '..', 'load', 'upstream.ts')]) : null
  let target: Awaited<ReturnType<typeof startTarget>> | null = null
  let fleet: ReturnType<typeof spawnFleet> | null = null
  try {
    const upstreamPort = upstream ? (await upstream.next((m) => m.ready, 30_000)).port : null
    target = await startTarget(kind, {
      upstreamPort,
      clients,
      simulated: true,
      redisUrl: s.redisUrl,
      redisPrefix: s.redisPrefix,
    })
    fleet = spawnFleet(target, {
      clients,
      perProcess: 2500,
      symbolsPerConn: s.symbolsPerConn,
      localAddresses: s.localAddresses,
      // Every trade message is sampled: at the natural rate there are few enough.
      sampleEvery: 1,
      // One recorder per whole block (blockSymbols): 214 / 20 made 10.7, so client 10 recorded block 0 again
      // and the bare server replayed (and was credited with) those messages twice, ~10 % more deliveries.
      recordFirst: kind === 'service' ? Math.floor(universe.length / s.symbolsPerConn) : 0,
    })
    await fleet.connect(clients)
    await fleet.recording()
    const origin = Date.now()
    if (upstream) await upstream.ask('mode', { mode: 'replay', file: replayFile })
    await sleep(s.warmupMs)
    const tgt = target
    const server = new CpuMeter(() => tgt.pids())
    const load = new CpuMeter(() => fleet!.pids())
    await fleet.latencies()
    const snap0 = await fleet.snap()
    const t0 = Date.now()
    await Promise.all([server.start(), load.start()])
    await sleep(s.measureMs)
    const snap1 = await fleet.snap()
    const t1 = Date.now()
    const cpu = { server: await server.end(), load: await load.end() }
    if (kind === 'service') {
      const messages = (await fleet.recording()).filter((m) => m[0] >= origin)
      await Bun.write(replayFile, JSON.stringify({ origin, messages }))
    }
    const sec = (snap1.at - snap0.at) / 1000
    const delivered = (snap1.msgs - snap0.msgs) / sec
    const market = await marketTradesPerSec(t0, t1)
    Object.assign(result, {
      newYorkTime: new Date(t0).toLocaleString('en-US', { timeZone: 'America/New_York', weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }),
      marketTradesPerSec: round(market, 1),
      deliveredPerSec: Math.round(delivered),
      serverUsPerDelivery: delivered > 0 ? round((cpu.server / delivered) * 1e6, 2) : undefined,
      serverCpuCores: round(cpu.server, 3),
      loadgenCpuCores: round(cpu.load, 3),
      bytesPerMessage: snap1.msgs > snap0.msgs ? Math.round((snap1.bytes - snap0.bytes) / (snap1.msgs - snap0.msgs)) : undefined,
      serverRssMB: round(((await procUsage(tgt.pids()[0]!))?.rssBytes ?? 0) / 2 ** 20, 1),
      latency: summarize(await fleet.latencies()),
      closes: snap1.closeCodes,
    })
    if (delivered < 100) result.note = `the simulated market is quiet now (${result.newYorkTime} New York): too few deliveries to judge`
    log(
      `  ${result.deliveredPerSec} msg/s (market ${result.marketTradesPerSec} trades/s), server ${result.serverCpuCores} cores, ${result.serverUsPerDelivery} µs/delivery; latency ${JSON.stringify(result.latency)}`,
    )
    return result
  } catch (e) {
    const note = e instanceof PendingError || e instanceof Error ? e.message.slice(0, 500) : String(e)
    return { ...result, status: 'failed', note }
  } finally {
    await fleet?.close().catch(() => {})
    await target?.stop().catch(() => {})
    await upstream?.stop()
  }
}

/** Trades the simulated market made for every symbol of the universe in [from, to), per second. */
async function marketTradesPerSec(from: number, to: number): Promise<number> {
  const market = (await import('../../src/adapters/simulated/market')) as Record<string, any>
  const hours = process.env.SIMULATED_MARKET_HOURS ?? 'calendar'
  const tradesBetween: (s: string, a: number, b: number) => unknown[] = market.simulatedMarket
    ? market.simulatedMarket(hours).tradesBetween
    : market.tradesBetween
  let n = 0
  for (const symbol of universe) n += tradesBetween(symbol, from, to).length
  return (n * 1000) / (to - from)
}
