/** Workload 3b: tens of thousands of authenticated connections held by three service replicas on PostgreSQL and Redis, each process under its own open-files limit — all welcomed, held through a heartbeat, heartbeats answered, RSS per connection per replica, and the latency a subscribed default client sees meanwhile. */
import { CpuMeter, procUsage } from '../lib/child'
import { createDatabase, dropDatabase } from '../lib/pg'
import { round, sleep, summarize, type LatencySummary } from '../lib/stats'
import { spawnFleet, type ClientFleet } from './clients'
import { startTarget, type Target } from './targets'

export interface HeldSettings {
  /** Connections in all (the issue's 50,000). */
  connections: number
  replicas: number
  /** Of them, connections subscribed to 20 symbols each, measuring latency (the rest subscribe to nothing). */
  subscribed: number
  /** Connections per load-generator process (each under its own open-files limit). */
  perProcess: number
  /** How long everything is held once connected: more than one heartbeat interval (20 s by default). */
  holdMs: number
  localAddresses: string[]
  redisUrl: string
  redisPrefix: string
}

export interface HeldResult {
  target: string
  status: 'ok' | 'failed'
  note?: string
  asked: number
  replicas: number
  /** Connections the service welcomed (admitted), still open at the end of the hold, and with a heartbeat received and a ping answered. */
  welcomed?: number
  heldAtEnd?: number
  heartbeated?: number
  answered?: number
  connectMs?: number
  /** Connects retried after a refusal the protocol says to retry (4003 DATABASE_UNAVAILABLE under the burst, 4005). */
  reconnects?: number
  holdMs?: number
  closeCodes?: Record<string, number>
  perReplica?: { connections: number; baseRssMB: number; rssMB: number; kbPerConnection: number; cpuCores: number }[]
  loadgenCpuCores?: number
  /** Provider trade time → client receipt on the subscribed connections, during the hold. */
  latency?: LatencySummary
}

const MB = 2 ** 20

export async function runHeld(s: HeldSettings, log: (m: string) => void): Promise<HeldResult> {
  const result: HeldResult = {
    target: `service × ${s.replicas} replicas on PostgreSQL + Redis, default settings`,
    status: 'ok',
    asked: s.connections,
    replicas: s.replicas,
  }
  const db = await createDatabase('held')
  let target: Target | null = null
  const fleets: { replica: number; fleet: ClientFleet; clients: number }[] = []
  try {
    // 50 connections per user as elsewhere; the subscribed connections' users (the first ones) have watchlists.
    const subscribedUsers = Math.ceil(s.subscribed / 50 / 10) * 10
    target = await startTarget('service', {
      upstreamPort: null,
      clients: s.connections,
      simulated: true,
      idle: true,
      watchlistUsers: subscribedUsers,
      replicas: s.replicas,
      databaseUrl: db.url,
      redisUrl: s.redisUrl,
      redisPrefix: s.redisPrefix,
      env: { REDIS_URL: s.redisUrl },
    })
    const tgt = target
    await sleep(1000)
    const base = await Promise.all(tgt.pids().map(async (pid) => (await procUsage(pid))?.rssBytes ?? 0))
    const subTokens = tgt.tokens.slice(0, subscribedUsers)
    const idleTokens = tgt.tokens.slice(subscribedUsers)
    const t0 = performance.now()
    // Each replica gets its share; every load generator talks to one replica only.
    for (let r = 0; r < s.replicas; r++) {
      const share = (n: number) => Math.floor(n / s.replicas) + (r < n % s.replicas ? 1 : 0)
      const one = { ...tgt, ports: [tgt.ports[r]!] }
      const subscribed = share(s.subscribed)
      const idle = share(s.connections) - subscribed
      if (subscribed > 0)
        fleets.push({
          replica: r,
          clients: subscribed,
          fleet: spawnFleet(
            { ...one, tokens: subTokens },
            {
              clients: subscribed,
              perProcess: s.perProcess,
              symbolsPerConn: 20,
              localAddresses: s.localAddresses,
              sampleEvery: 1,
              pingOnHeartbeat: true,
              reconnect: true,
            },
          ),
        })
      if (idle > 0)
        fleets.push({
          replica: r,
          clients: idle,
          fleet: spawnFleet(
            { ...one, tokens: rotate(idleTokens, r) },
            {
              clients: idle,
              perProcess: s.perProcess,
              symbolsPerConn: 0,
              localAddresses: s.localAddresses,
              connectConcurrency: 100,
              // Each heartbeat is answered with a ping action, so the server's pong proves the round trip.
              pingOnHeartbeat: true,
              // A handshake refused under the burst (the account check timed out: 4003) is retried, as the client does.
              reconnect: true,
            },
          ),
        })
    }
    const connected = await Promise.all(fleets.map((f) => f.fleet.connect(0, 240_000)))
    result.connectMs = Math.round(performance.now() - t0)
    result.welcomed = connected.reduce((a, r) => a + r.ready, 0)
    result.reconnects = connected.reduce((a, r) => a + r.reconnects, 0)
    const errors = connected.flatMap((r) => r.errors).slice(0, 3)
    log(
      `  ${result.welcomed} of ${s.connections} welcomed in ${result.connectMs} ms after ${result.reconnects} reconnects${errors.length ? ` (${errors.join(' | ')})` : ''}`,
    )
    const rss = await Promise.all(tgt.pids().map(async (pid) => (await procUsage(pid))?.rssBytes ?? 0))
    const cpu = tgt.pids().map((pid) => new CpuMeter(() => [pid]))
    const load = new CpuMeter(() => fleets.flatMap((f) => f.fleet.pids()))
    await Promise.all([...cpu.map((m) => m.start()), load.start()])
    for (const f of fleets) await f.fleet.latencies()
    await sleep(s.holdMs)
    result.holdMs = s.holdMs
    const cores = await Promise.all(cpu.map((m) => m.end()))
    result.loadgenCpuCores = round(await load.end(), 3)
    const snaps = await Promise.all(fleets.map((f) => f.fleet.snap()))
    result.heldAtEnd = snaps.reduce((a, x) => a + x.open, 0)
    result.heartbeated = snaps.reduce((a, x) => a + x.heartbeated, 0)
    result.answered = snaps.reduce((a, x) => a + x.answered, 0)
    result.closeCodes = {}
    for (const x of snaps)
      for (const [k, v] of Object.entries(x.closeCodes)) result.closeCodes[k] = (result.closeCodes[k] ?? 0) + v
    result.perReplica = tgt.pids().map((_, r) => {
      const n = connected.reduce((a, c, i) => a + (fleets[i]!.replica === r ? c.ready : 0), 0)
      return {
        connections: n,
        baseRssMB: round(base[r]! / MB, 1),
        rssMB: round(rss[r]! / MB, 1),
        kbPerConnection: n ? round((rss[r]! - base[r]!) / 1024 / n, 2) : 0,
        cpuCores: round(cores[r]!, 3),
      }
    })
    const samples = (await Promise.all(fleets.map((f) => f.fleet.latencies()))).flat()
    if (samples.length) result.latency = summarize(samples)
    if (result.welcomed < s.connections || result.heldAtEnd < result.welcomed)
      result.note = `${s.connections - result.welcomed} not welcomed, ${result.welcomed - result.heldAtEnd} dropped while held`
    log(
      `  held ${result.heldAtEnd}, heartbeated ${result.heartbeated}, answered ${result.answered}; per replica ${JSON.stringify(result.perReplica)}; latency ${JSON.stringify(result.latency ?? null)}`,
    )
    return result
  } catch (e) {
    return { ...result, status: 'failed', note: e instanceof Error ? e.message.slice(0, 500) : String(e) }
  } finally {
    await Promise.all(fleets.map((f) => f.fleet.close().catch(() => {})))
    await target?.stop().catch(() => {})
    await dropDatabase(db.name).catch(() => {})
  }
}

function rotate<T>(xs: T[], k: number): T[] {
  const i = xs.length ? (k * 7) % xs.length : 0
  return [...xs.slice(i), ...xs.slice(0, i)]
}
