/**
 * Quick probe of what an idle authenticated connection costs, service against the bare Bun server:
 * `bun bench/probe-connections.ts [--n=5000] [--kinds=bun,service] [--idle-ms=5000] [--settle-ms=0]`.
 * RSS per connection, and heap objects, bytes, external and native (mimalloc) bytes per connection
 * with the object types that grew, from bun:jsc heapStats in the server after a full GC.
 */
import { killAll } from './lib/child'
import { dropAll } from './lib/pg'
import { runConnections, type ConnectionResult } from './workloads/connections'

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
const n = Number(option('n') ?? 5000)
const kinds = (option('kinds') ?? 'bun,service').split(',') as ('bun' | 'service')[]
const idleMs = Number(option('idle-ms') ?? 5000)
const log = (m: string) => process.stderr.write(`${m}\n`)

const results: ConnectionResult[] = []
try {
  for (const kind of kinds) {
    log(`- ${kind}: ${n} idle connections`)
    results.push(
      await runConnections(
        kind,
        {
          target: n,
          step: Math.min(n, 5000),
          idleMs,
          settleMs: Number(option('settle-ms') ?? 0),
          localAddresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'],
          redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
          redisPrefix: `mwprobe:${Date.now().toString(36)}`,
        },
        log,
      ),
    )
  }
} finally {
  await killAll()
  await dropAll()
}
for (const r of results) {
  const h = r.heap
  console.log(
    `${r.kind.padEnd(8)} ${r.status} held ${r.held ?? 0}: RSS ${r.kbPerConnection ?? '—'} KB/conn (marginal ${r.marginalKbPerConnection ?? '—'}), ` +
      `idle CPU ${r.idleCpuCores ?? '—'} cores` +
      (h
        ? `; heap ${h.objects} objects, ${h.heapBytes} B, external ${h.externalBytes} B, malloc ${h.mallocBytes ?? '—'} B, RSS after GC ${h.rssBytes} B per connection`
        : '') +
      (r.note ? ` (${r.note})` : ''),
  )
  if (h) console.log(`         types per connection: ${JSON.stringify(h.types)}; native blocks: ${JSON.stringify(h.mallocBins)}`)
}
process.exit(0)
