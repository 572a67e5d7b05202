/**
 * Preloaded into a bench service process (`bun --preload bench/lib/heap-probe-preload.ts src/main.ts`):
 * answers `{"cmd":"heap"}` on stdin with `{"re":"heap", ...HeapSample}` on stdout. Nothing of it is in
 * the service's code, so production never carries the hook; only the bench loads it.
 */
import { heapStats } from 'bun:jsc'
import { sampleHeap } from './heap-stats'

void (async () => {
  for await (const line of console) {
    let cmd: unknown
    try {
      cmd = (JSON.parse(line) as { cmd?: unknown }).cmd
    } catch {
      continue
    }
    if (cmd === 'heap') process.stdout.write(`${JSON.stringify({ re: 'heap', ...sampleHeap() })}\n`)
    // What is allocated over a window (objects made and not yet collected; a collection inside the window hides some).
    if (cmd === 'garbage') {
      Bun.gc(true)
      const before = heapStats().objectTypeCounts
      await Bun.sleep(3000)
      const after = heapStats().objectTypeCounts
      const grown: Record<string, number> = {}
      for (const [type, n] of Object.entries(after)) if (n - (before[type] ?? 0) > 0) grown[type] = n - (before[type] ?? 0)
      process.stdout.write(`${JSON.stringify({ re: 'garbage', windowMs: 3000, grown })}\n`)
    }
  }
})()
