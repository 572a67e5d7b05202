/** HTTP load-generator process: `concurrency` keep-alive loops on one URL for a fixed time; requests per second and latency percentiles. */
import { serveCommands } from '../lib/io'
import { summarize } from '../lib/stats'

async function run(url: string, token: string, concurrency: number, durationMs: number) {
  const headers = { authorization: `Bearer ${token}` }
  const lat: number[] = []
  const statuses: Record<string, number> = {}
  let bytes = 0
  const end = performance.now() + durationMs
  const t0 = performance.now()
  const loop = async () => {
    while (performance.now() < end) {
      const a = performance.now()
      const res = await fetch(url, { headers })
      const body = await res.arrayBuffer()
      lat.push(performance.now() - a)
      bytes += body.byteLength
      statuses[res.status] = (statuses[res.status] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  const sec = (performance.now() - t0) / 1000
  return {
    requests: lat.length,
    rps: Math.round(lat.length / sec),
    bytesPerResponse: Math.round(bytes / lat.length),
    statuses,
    ...summarize(lat),
  }
}

await serveCommands((m) => {
  if (m.cmd === 'run') return run(m.url, m.token, m.concurrency, m.durationMs)
  throw new Error(`unknown command ${m.cmd}`)
})
