/** `bun run bench`: runs the workloads (or `--only=…`), writes bench/results/<mode>.json and, in full mode, the generated block of BENCHMARKS.md. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Redis from 'ioredis'
import { killAll, machineBusySec, onInterrupt } from './lib/child'
import { describeMachine } from './lib/machine'
import { createDatabase, dropAll } from './lib/pg'
import { checkTargets, renderResults, type Results } from './lib/report'
import { round } from './lib/stats'
import { runConnections, type ConnectionResult } from './workloads/connections'
import { runFanoutCase, type FanoutCase, type FanoutResult, type FanoutSettings } from './workloads/fanout'
import { runHeld, type HeldResult } from './workloads/held'
import { runNatural, type NaturalResult } from './workloads/natural'
import { runRestEngine, type RestEngineResult } from './workloads/rest'
import { buildBinary, runStartup, type StartupResult } from './workloads/startup'

const workloads = ['startup', 'rest', 'fanout', 'quotes', 'natural', 'connections', 'held', 'replicas'] as const
type Workload = (typeof workloads)[number]

const args = process.argv.slice(2)
const flag = (name: string) => args.includes(`--${name}`)
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
if (flag('help')) {
  console.log(`usage: bun run bench [--quick] [--only=${workloads.join(',')}] [--no-latency] [--md]
  --quick       small sizes and short windows (about 3 minutes); writes bench/results/quick.json
  --only=a,b    run only these workloads; writes bench/results/<mode>-<a+b>.json, leaves BENCHMARKS.md alone
  --no-latency  skip workload 2 (latency at 50% and 90% of the max rate)
  --clients=N,M fan-out and natural-rate client counts (default 1000,5000); --cases=bun,service0,service100,sio picks targets
  --natural-rounds=N  service/bare pairs per client count in workload 1b (default 3; 1 with --quick): the target reads their median
  --held=N      connections held by the three replicas (default 50000; 6000 with --quick)
  --measure-ms=N fan-out measure window (default 5000; longer with --profile to see the steady state)
  --quotes-equal=S workload 1c's equal-rate phase at S × bare Bun's max trade rate (default 1: its max)
  --md          also rewrite BENCHMARKS.md's generated block in quick mode or with --only
  --render      only rewrite BENCHMARKS.md's block from bench/results/full.json (targets re-checked; workload 1c
                from bench/results/full-quotes.json when full.json has none or an older one)
  --profile     run the service processes under bun --cpu-prof-md; profiles in bench/results/profiles/`)
  process.exit(0)
}
const quick = flag('quick')
if (flag('profile')) {
  process.env.BENCH_PROFILE_DIR = join(import.meta.dir, 'results', 'profiles')
  mkdirSync(process.env.BENCH_PROFILE_DIR, { recursive: true })
}
const only = (option('only')?.split(',') ?? workloads) as Workload[]
for (const w of only)
  if (!workloads.includes(w)) throw new Error(`unknown workload ${w}; one of ${workloads.join(', ')}`)
const root = join(import.meta.dir, '..')
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const redisPrefix = `mwbench:${Date.now().toString(36)}`
const localAddresses = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']
const started = performance.now()
const log = (m: string) => process.stderr.write(`${m}\n`)

// The whole run is bounded: past 20 minutes everything is stopped and cleaned up.
const budget = setTimeout(() => {
  log('bench: over the 20-minute budget, stopping')
  void cleanup().finally(() => process.exit(124))
}, 20 * 60_000)
budget.unref()

async function cleanup(): Promise<void> {
  await killAll()
  await dropAll()
  await deleteRedisKeys()
}

/** Deletes whatever the service or the adapters left under this run's Redis prefix. */
async function deleteRedisKeys(): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await redis.connect()
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000)
      if (keys.length) await redis.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } catch {}
  redis.disconnect()
}

onInterrupt(deleteRedisKeys)

const fanoutSettings: FanoutSettings = {
  warmupMs: quick ? 5000 : 6000,
  measureMs: Number(option('measure-ms') ?? (quick ? 3000 : 5000)),
  latencyMs: quick ? 2000 : 3000,
  latency: !flag('no-latency'),
  redisUrl,
  redisPrefix,
  localAddresses,
  symbolsPerConn: 20,
}

async function main(): Promise<Results> {
  const busy0 = await machineBusySec()
  const machine = await describeMachine(redisUrl)
  const fanout: FanoutResult[] = []
  const connections: ConnectionResult[] = []
  const natural: NaturalResult[] = []
  let held: HeldResult | null = null
  const replicas: FanoutResult[] = []
  const quotes: FanoutResult[] = []
  const rest: RestEngineResult[] = []
  const startup: Results['startup'] = { build: null, results: [] as StartupResult[] }

  if (only.includes('startup')) {
    log('== 6. start-up of the compiled binary')
    const binary = join(root, 'dist', 'bench', 'market-watch')
    mkdirSync(join(root, 'dist', 'bench'), { recursive: true })
    startup.build = await buildBinary(binary)
    for (const engine of ['pglite', 'postgres'] as const)
      startup.results.push(await runStartup(engine, { runs: quick ? 1 : 3, idleMs: quick ? 500 : 2000, binary }, log))
  }
  if (only.includes('rest')) {
    log('== 5. REST vs raw SQL')
    for (const engine of quick ? (['postgres'] as const) : (['postgres', 'pglite'] as const))
      rest.push(
        await runRestEngine(
          engine,
          { engines: [engine], concurrency: 32, durationMs: quick ? 2000 : 2500, rounds: quick ? 1 : 3 },
          log,
        ),
      )
  }
  if (only.includes('fanout')) {
    log('== 1–2. fan-out throughput and latency')
    const sizes = option('clients')?.split(',').map(Number) ?? (quick ? [1000] : [1000, 5000])
    const picked = option('cases')?.split(',')
    const cases: FanoutCase[] = sizes.flatMap((clients): FanoutCase[] => [
      // The ceiling right before the service at flush 0, so the ratio spans the least drift in machine load.
      { kind: 'bun', clients, latency50Only: true },
      { kind: 'service', clients, flushMs: 0 },
      { kind: 'service', clients, flushMs: 100 },
      { kind: 'sio', clients, latency50Only: true },
    ]).filter((c) => !picked || picked.includes(`${c.kind}${c.flushMs ?? ''}`))
    let servicePending = false
    for (const c of cases) {
      if (c.kind === 'service' && servicePending) {
        fanout.push({
          ...fanout.find((f) => f.status === 'pending')!,
          clients: c.clients,
          flushMs: c.flushMs ?? 100,
          target: `service, STREAM_FLUSH_MS=${c.flushMs}`,
        })
        continue
      }
      log(`- ${c.kind}${c.flushMs !== undefined ? ` flush ${c.flushMs}` : ''}, ${c.clients} clients`)
      const r = await runFanoutCase(c, fanoutSettings, log)
      if (r.status !== 'ok') log(`  ${r.status}: ${r.note}`)
      servicePending ||= r.status === 'pending'
      fanout.push(r)
    }
  }
  if (only.includes('quotes')) {
    log('== 1c. fan-out with quotes: 5 NBBO quotes per trade, clients on all four channels')
    const clients = Number(option('clients')?.split(',')[0] ?? 1000)
    const equalShare = Number(option('quotes-equal') ?? 1)
    // Each at its own max rate (the service's conflation lets it absorb far more), then both at
    // bare Bun's max trade rate: the equal-rate phase compares CPU per upstream event.
    const cases: FanoutCase[] = [
      { kind: 'bun', clients, quotesPerTrade: 5, latency50Only: true, equalRate: { ofOwnMax: equalShare } },
      { kind: 'service', clients, flushMs: 100, quotesPerTrade: 5 },
    ]
    for (const c of cases) {
      const bareRate = quotes.find((q) => q.kind === 'bun' && q.status === 'ok')?.equalRate?.tradesPerSecSet
      if (c.kind === 'service' && bareRate) c.equalRate = bareRate
      log(`- ${c.kind}${c.flushMs !== undefined ? ` flush ${c.flushMs}` : ''}, ${c.clients} clients, ${c.quotesPerTrade} quotes per trade`)
      const r = await runFanoutCase(c, { ...fanoutSettings, latency: false }, log)
      if (r.status !== 'ok') log(`  ${r.status}: ${r.note}`)
      quotes.push(r)
    }
  }
  if (only.includes('natural')) {
    log('== 1b. fan-out at the natural rate of the simulated market, default settings')
    const sizes = option('clients')?.split(',').map(Number) ?? (quick ? [1000] : [1000, 5000])
    // The ratio moves ±0.2 between runs of the same code on 2 shared cores: the target reads the median of rounds.
    const rounds = Number(option('natural-rounds') ?? (quick ? 1 : 3))
    for (const clients of sizes)
      for (let round = 1; round <= rounds; round++)
        for (const r of await runNatural(
          clients,
          {
            warmupMs: quick ? 3000 : 4000,
            measureMs: quick ? 6000 : 12_000,
            redisUrl,
            redisPrefix,
            localAddresses,
            symbolsPerConn: 20,
          },
          log,
        )) {
          if (r.status !== 'ok') log(`  ${r.status}: ${r.note}`)
          natural.push({ ...r, round })
        }
  }
  if (only.includes('connections')) {
    log('== 3. idle connections')
    const target = quick ? 5000 : 19_900
    for (const kind of ['bun', 'service'] as const) {
      log(`- ${kind}`)
      connections.push(
        await runConnections(
          kind,
          { target, step: 5000, idleMs: quick ? 5000 : 21_000, settleMs: quick ? 2000 : 21_000, localAddresses, redisUrl, redisPrefix },
          log,
        ),
      )
    }
  }
  if (only.includes('held')) {
    log('== 3b. connections held by three replicas on PostgreSQL + Redis')
    const connections = Number(option('held') ?? (quick ? 6000 : 50_000))
    held = await runHeld(
      {
        connections,
        replicas: 3,
        subscribed: Math.min(1000, Math.floor(connections / 10)),
        perProcess: 5000,
        // Past one 20 s heartbeat round, so every connection is pinged and answers.
        holdMs: 25_000,
        localAddresses,
        redisUrl,
        redisPrefix,
      },
      log,
    )
    if (held.status !== 'ok') log(`  ${held.status}: ${held.note}`)
  }
  if (only.includes('replicas')) {
    log('== 4. replicas on one Redis, and on a Redis Cluster')
    const clients = quick ? 500 : 1000
    let databaseUrl: string | undefined
    for (const n of quick ? [1, 2] : [1, 2, 3]) {
      databaseUrl ??= (await createDatabase('replicas')).url
      log(`- ${n} replica(s), ${clients} clients`)
      const r = await runFanoutCase(
        { kind: 'service', clients, flushMs: 0, replicas: n, redis: true, databaseUrl, latency50Only: true },
        fanoutSettings,
        log,
      )
      if (r.status !== 'ok') log(`  ${r.status}: ${r.note}`)
      replicas.push(r)
      if (r.status === 'pending') break
    }
    // The same three replicas on a Redis Cluster (sharded Pub/Sub), directly and through nginx.
    for (const balancer of [false, true]) {
      if (replicas.at(-1)?.status === 'pending') break
      log(`- 3 replicas on a Redis Cluster${balancer ? ' via nginx' : ''}, ${clients} clients`)
      const r = await runFanoutCase(
        { kind: 'service', clients, flushMs: 0, replicas: 3, redis: true, cluster: true, balancer, databaseUrl, latency50Only: true },
        fanoutSettings,
        log,
      )
      if (r.status !== 'ok') log(`  ${r.status}: ${r.note}`)
      replicas.push(r)
    }
  }
  const busy1 = await machineBusySec()
  const durationSec = round((performance.now() - started) / 1000)
  const partial = {
    version: 1 as const,
    date: new Date().toISOString(),
    mode: quick ? ('quick' as const) : ('full' as const),
    command: `bun run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    durationSec,
    machine,
    machineBusyCores: round((busy1 - busy0) / durationSec, 2),
    fanout,
    natural,
    connections,
    held,
    replicas,
    quotes,
    rest,
    startup,
  }
  return { ...partial, targets: checkTargets(partial) }
}

function writeMarkdown(results: Results): void {
  const file = join(root, 'BENCHMARKS.md')
  const start = '<!-- bench:results:start -->'
  const end = '<!-- bench:results:end -->'
  const block = `${start}\n${renderResults(results)}\n${end}`
  const text = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${start}\n${end}\n`
  const i = text.indexOf(start)
  const j = text.indexOf(end)
  writeFileSync(file, i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text}\n${block}\n`)
}

if (flag('render')) {
  const saved = JSON.parse(readFileSync(join(root, 'bench', 'results', 'full.json'), 'utf8')) as Results
  // Workload 1c from its own full run (`--only=quotes`) when full.json has none or an older one.
  const quotesFile = join(root, 'bench', 'results', 'full-quotes.json')
  const q = existsSync(quotesFile) ? (JSON.parse(readFileSync(quotesFile, 'utf8')) as Results) : null
  const mergeQuotes = q?.mode === 'full' && q.quotes?.length && (!saved.quotes?.length || q.date > saved.date)
  if (mergeQuotes)
    Object.assign(saved, { quotes: q.quotes, quotesRun: { command: q.command, date: q.date, machineBusyCores: q.machineBusyCores } })
  const { targets: _old, ...rest } = saved
  writeMarkdown({ ...saved, targets: checkTargets(rest) })
  log(`BENCHMARKS.md re-rendered from bench/results/full.json${mergeQuotes ? ' and full-quotes.json' : ''}`)
  process.exit(0)
}

try {
  const results = await main()
  mkdirSync(join(root, 'bench', 'results'), { recursive: true })
  // Only a complete full run replaces full.json and the BENCHMARKS.md block; a partial one (--only)
  // gets its own file, so it never wipes the other workloads' results.
  const partial = option('only') !== undefined || option('clients') !== undefined || option('cases') !== undefined
  const name = `${results.mode}${partial ? `-${only.join('+')}` : ''}.json`
  const out = join(root, 'bench', 'results', name)
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n')
  const md = (!quick && !partial) || flag('md')
  if (md) writeMarkdown(results)
  log(`\nresults: ${out}${md ? ' and BENCHMARKS.md' : ''} (${results.durationSec} s)`)
  for (const t of results.targets) log(`  [${t.status}] ${t.target}: ${t.measured}`)
} finally {
  await cleanup()
  clearTimeout(budget)
}
process.exit(0)
