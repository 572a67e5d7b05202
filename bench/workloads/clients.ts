/** Spawns the WebSocket load-generator processes for a target and aggregates their counters. */
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Child } from '../lib/child'
import type { ClientsConfig } from '../load/ws-clients'
import type { Target } from './targets'

export interface ClientFleet {
  gens: Child[]
  pids(): number[]
  /** Opens every connection; throws unless at least `minReady` of them are ready. */
  connect(
    minReady: number,
    timeoutMs?: number,
  ): Promise<{ ready: number; failed: number; reconnects: number; ms: number; errors: string[] }>
  snap(): Promise<{
    at: number
    msgs: number
    bytes: number
    closed: number
    open: number
    statuses: number
    closeCodes: Record<string, number>
    heartbeated: number
    answered: number
  }>
  /** Lag of the samples taken since the last call: the worst p99 and p50 across processes. */
  lag(): Promise<{ n: number; p50: number | null; p99: number | null }>
  /** Latency samples since the last call, from every process. */
  latencies(): Promise<number[]>
  /** The market messages the recording connections received since the last call: [receipt ms, symbol, payload], in time order. */
  recording(): Promise<[number, string, string][]>
  /** Starts (clearing what was kept) or stops keeping the last quote per symbol of the `trackQuotesFirst` connections. */
  trackQuotes(on: boolean): Promise<void>
  /** The last quote (`t|bid|ask`) each tracked connection received per symbol, by global connection index. */
  lastQuotes(): Promise<Record<number, Record<string, string>>>
  close(): Promise<void>
}

export interface FleetOptions {
  clients: number
  /** Connections per load-generator process (each stays under the 20,000 open-files cap). */
  perProcess: number
  symbolsPerConn: number
  localAddresses: string[]
  sampleEvery?: number
  connectConcurrency?: number
  /** Connections with a global index below this record the market messages they receive. */
  recordFirst?: number
  /** Answer app-level heartbeats with a `ping` action (the browser client does not). */
  pingOnHeartbeat?: boolean
  /** Reconnect with backoff after a refusal the protocol says to retry, as the browser client does. */
  reconnect?: boolean
  /** Channels each subscribe names (absent: the default set). */
  channels?: string[]
  /** Connections with a global index below this can keep the last quote they received per symbol (`trackQuotes`). */
  trackQuotesFirst?: number
}

/** The configuration as one argument: inline, or `@file` when a thousand tokens would pass the kernel's 128 KB limit per argument. */
function configArgument(cfg: ClientsConfig): string {
  const json = JSON.stringify(cfg)
  if (json.length < 64 * 1024) return json
  const file = join(tmpdir(), `mw-bench-clients-${process.pid}-${++configFiles}.json`)
  writeFileSync(file, json)
  return `@${file}`
}
let configFiles = 0

export function spawnFleet(target: Target, o: FleetOptions): ClientFleet {
  const procs = Math.max(target.ports.length, Math.ceil(o.clients / o.perProcess))
  const gens: Child[] = []
  let first = 0
  for (let p = 0; p < procs; p++) {
    const count = Math.floor(o.clients / procs) + (p < o.clients % procs ? 1 : 0)
    const cfg: ClientsConfig = {
      name: `clients-${p}`,
      host: '127.0.0.1',
      port: target.ports[p % target.ports.length]!,
      protocol: target.protocol,
      path: target.path,
      tokens: target.tokens,
      first,
      count,
      symbolsPerConn: o.symbolsPerConn,
      awaitWelcome: target.welcomes,
      recordFirst: o.recordFirst,
      pingOnHeartbeat: o.pingOnHeartbeat,
      reconnect: o.reconnect,
      localAddresses: o.localAddresses,
      connectConcurrency: o.connectConcurrency ?? 100,
      sampleEvery: o.sampleEvery ?? 64,
      channels: o.channels,
      trackQuotesFirst: o.trackQuotesFirst,
    }
    first += count
    gens.push(
      new Child(`clients-${p}`, ['bun', join(import.meta.dir, '..', 'load', 'ws-clients.ts'), configArgument(cfg)]),
    )
  }
  const all = <T>(f: (g: Child) => Promise<T>) => Promise.all(gens.map(f))
  return {
    gens,
    pids: () => gens.map((g) => g.pid),
    async connect(minReady, timeoutMs = 180_000) {
      const rs = await all((g) => g.ask('connect', { timeoutMs }, timeoutMs + 10_000))
      const out = {
        ready: rs.reduce((a, r) => a + r.ready, 0),
        failed: rs.reduce((a, r) => a + r.failed, 0),
        reconnects: rs.reduce((a, r) => a + (r.reconnects ?? 0), 0),
        ms: Math.max(...rs.map((r) => r.ms)),
        errors: rs.flatMap((r) => r.errors as string[]).slice(0, 5),
      }
      if (out.ready < minReady)
        throw new Error(
          `only ${out.ready} of ${o.clients} clients ready (${out.failed} failed): ${out.errors.join(' | ')}`,
        )
      return out
    },
    async snap() {
      const rs = await all((g) => g.ask('snap'))
      const closeCodes: Record<string, number> = {}
      for (const r of rs)
        for (const [k, v] of Object.entries(r.closeCodes as Record<string, number>))
          closeCodes[k] = (closeCodes[k] ?? 0) + v
      return {
        at: Math.max(...rs.map((r) => r.at)),
        msgs: rs.reduce((a, r) => a + r.msgs, 0),
        bytes: rs.reduce((a, r) => a + r.bytes, 0),
        closed: rs.reduce((a, r) => a + r.closed, 0),
        statuses: rs.reduce((a, r) => a + r.statuses, 0),
        open: rs.reduce((a, r) => a + r.open, 0),
        heartbeated: rs.reduce((a, r) => a + (r.heartbeated ?? 0), 0),
        answered: rs.reduce((a, r) => a + (r.answered ?? 0), 0),
        closeCodes,
      }
    },
    async lag() {
      const rs = await all((g) => g.ask('lag'))
      const with_ = rs.filter((r) => r.n > 0)
      return {
        n: rs.reduce((a, r) => a + r.n, 0),
        p50: with_.length ? Math.max(...with_.map((r) => r.p50)) : null,
        p99: with_.length ? Math.max(...with_.map((r) => r.p99)) : null,
      }
    },
    async latencies() {
      const rs = await all((g) => g.ask('lat', {}, 60_000))
      return rs.flatMap((r) => r.samples as number[])
    },
    async recording() {
      const rs = await all((g) => g.ask('recording', {}, 60_000))
      return rs.flatMap((r) => r.messages as [number, string, string][]).sort((a, b) => a[0] - b[0])
    },
    async trackQuotes(on) {
      await all((g) => g.ask('trackQuotes', { on }))
    },
    async lastQuotes() {
      const rs = await all((g) => g.ask('lastQuotes', {}, 30_000))
      return Object.assign({}, ...rs.map((r) => r.byConnection as Record<number, Record<string, string>>))
    },
    async close() {
      await all((g) => g.ask('close', {}, 20_000).catch(() => null))
      await all((g) => g.stop())
    },
  }
}

/** Waits (at most `maxMs`) until the clients' median lag is back under `lagMs`: the backlog of the previous phase has drained. */
export async function settle(fleet: ClientFleet, lagMs: number, maxMs: number): Promise<void> {
  const end = performance.now() + maxMs
  await fleet.lag()
  while (performance.now() < end) {
    await Bun.sleep(250)
    const lag = await fleet.lag()
    if (lag.p50 !== null && lag.p50 <= lagMs) return
  }
}
