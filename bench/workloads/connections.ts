/** Workload 3: idle authenticated connections held, RSS per connection (slope over steps), and CPU at idle with heartbeats running. */
import { join } from 'node:path'
import { Child, CpuMeter, procUsage } from '../lib/child'
import { round, sleep } from '../lib/stats'
import { spawnFleet, type ClientFleet } from './clients'
import { PendingError, startTarget, targetLabel, type TargetKind } from './targets'

export interface ConnectionSettings {
  /** Connections to reach (the server's own open-files limit caps it: 20,000 here). */
  target: number
  /** Connections added per step (one load-generator process each). */
  step: number
  /** Window for the idle CPU measurement (≥ one heartbeat interval, 20 s, in full mode). */
  idleMs: number
  localAddresses: string[]
  redisUrl: string
  redisPrefix: string
}

export interface ConnectionResult {
  target: string
  kind: TargetKind
  status: 'ok' | 'pending' | 'failed'
  note?: string
  held?: number
  steps?: { connections: number; rssMB: number; kbPerConnection: number | null; connectMs: number }[]
  /** RSS growth per connection from zero to the last step (slope). */
  kbPerConnection?: number
  /** RSS growth per connection between the first and the last step (one-time allocations excluded). */
  marginalKbPerConnection?: number
  baseRssMB?: number
  idleCpuCores?: number
  loadgenIdleCpuCores?: number
  /** Connections asked for: the full run asks 19,800, the most a server under the 20,000 open-files limit can hold. */
  asked?: number
}

const MB = 2 ** 20

export async function runConnections(
  kind: TargetKind,
  s: ConnectionSettings,
  log: (m: string) => void,
): Promise<ConnectionResult> {
  const result: ConnectionResult = { target: targetLabel(kind), kind, status: 'ok', asked: s.target }
  let target: Awaited<ReturnType<typeof startTarget>> | null = null
  const fleets: ClientFleet[] = []
  // The service needs its upstream (ticker lookups, the feed session); it stays silent: no trades.
  const upstream =
    kind === 'service' ? new Child('upstream', ['bun', join(import.meta.dir, '..', 'load', 'upstream.ts')]) : null
  try {
    const upstreamPort = upstream ? (await upstream.next((m) => m.ready, 30_000)).port : null
    target = await startTarget(kind, {
      upstreamPort,
      idle: true,
      clients: s.target,
      redisUrl: s.redisUrl,
      redisPrefix: s.redisPrefix,
    })
    const pid = target.pids()[0]!
    await sleep(1000)
    const base = (await procUsage(pid))!.rssBytes
    result.baseRssMB = round(base / MB, 1)
    result.steps = []
    let held = 0
    while (held < s.target) {
      const n = Math.min(s.step, s.target - held)
      const fleet = spawnFleet(
        { ...target, tokens: rotate(target.tokens, fleets.length) },
        { clients: n, perProcess: n, symbolsPerConn: 0, localAddresses: s.localAddresses, connectConcurrency: 200 },
      )
      fleets.push(fleet)
      const r = await fleet.connect(0, 120_000)
      held += r.ready
      await sleep(500)
      const rss = (await procUsage(pid))!.rssBytes
      result.steps.push({
        connections: held,
        rssMB: round(rss / MB, 1),
        kbPerConnection: held ? round((rss - base) / 1024 / held, 2) : null,
        connectMs: r.ms,
      })
      log(
        `  ${held} connections held, server RSS ${round(rss / MB, 1)} MB (${r.failed} failed${r.errors[0] ? `: ${r.errors[0]}` : ''})`,
      )
      if (r.ready < n) break
    }
    result.held = held
    const last = result.steps.at(-1)
    result.kbPerConnection = last?.kbPerConnection ?? undefined
    const firstStep = result.steps[0]
    if (firstStep && last && last.connections > firstStep.connections)
      result.marginalKbPerConnection = round(
        ((last.rssMB - firstStep.rssMB) * 1024) / (last.connections - firstStep.connections),
        2,
      )
    const server = new CpuMeter(() => [pid])
    const load = new CpuMeter(() => fleets.flatMap((f) => f.pids()))
    await Promise.all([server.start(), load.start()])
    await sleep(s.idleMs)
    result.idleCpuCores = round(await server.end(), 3)
    result.loadgenIdleCpuCores = round(await load.end(), 3)
    const open = (await Promise.all(fleets.map((f) => f.snap()))).reduce((a, x) => a + x.open, 0)
    if (open < held) result.note = `${held - open} connections dropped during the idle window`
    log(`  idle CPU ${result.idleCpuCores} cores over ${s.idleMs / 1000} s with ${open} open`)
    return result
  } catch (e) {
    if (e instanceof PendingError) return { ...result, status: 'pending', note: e.message }
    return { ...result, status: 'failed', note: e instanceof Error ? e.message.slice(0, 500) : String(e) }
  } finally {
    for (const f of fleets) await f.close().catch(() => {})
    await target?.stop().catch(() => {})
    await upstream?.stop()
  }
}

/** Spread later fleets over other users' tokens (the service caps connections per user). */
function rotate<T>(xs: T[], k: number): T[] {
  const i = xs.length ? (k * 3) % xs.length : 0
  return [...xs.slice(i), ...xs.slice(0, i)]
}
