/** Heap statistics of the process it runs in (bun:jsc heapStats after a full GC), and the per-connection difference of two of them. */
import { heapStats } from 'bun:jsc'

export interface HeapSample {
  rssBytes: number
  /** JavaScript heap in use (bytes) and its object count. */
  heapBytes: number
  /** Bytes the JavaScript heap holds from the system (live objects plus free cells and blocks not yet returned). */
  heapCapacityBytes: number
  objects: number
  /** Memory JavaScript objects hold outside the heap (buffers, native backing stores): JSC's extraMemorySize. */
  externalBytes: number
  /** Native allocations through mimalloc (sockets, uWS state, strings' backing stores). */
  mallocBytes: number | null
  /** mimalloc blocks in use by block size (bytes): which native allocations grow. */
  mallocBins: Record<string, number>
  objectTypeCounts: Record<string, number>
}

/** Runs a full, synchronous collection, then reads the heap: what is left is what is held. */
export function sampleHeap(): HeapSample {
  Bun.gc(true)
  Bun.gc(true)
  const s = heapStats() as ReturnType<typeof heapStats> & {
    mimalloc?: { malloc_normal?: { current?: number }; malloc_bins?: { block_size: number; current: number }[] }
  }
  return {
    rssBytes: process.memoryUsage.rss(),
    heapBytes: s.heapSize,
    heapCapacityBytes: s.heapCapacity,
    objects: s.objectCount,
    externalBytes: s.extraMemorySize,
    mallocBytes: s.mimalloc?.malloc_normal?.current ?? null,
    mallocBins: Object.fromEntries((s.mimalloc?.malloc_bins ?? []).map((b) => [String(b.block_size), b.current])),
    objectTypeCounts: { ...s.objectTypeCounts },
  }
}

export interface HeapPerConnection {
  connections: number
  objects: number
  heapBytes: number
  externalBytes: number
  mallocBytes: number | null
  rssBytes: number
  /** Object types whose count grew most, per connection (≥ 0.05 each), largest first. */
  types: Record<string, number>
  /** Native block sizes whose count grew, per connection (≥ 0.05 blocks each), largest in bytes first: `"16384": 0.16` is 2.6 KB per connection. */
  mallocBins: Record<string, number>
}

const per = (a: number, b: number, n: number, digits = 1) => Math.round(((b - a) / n) * 10 ** digits) / 10 ** digits

/** What `connections` more connections cost between two samples, per connection. */
export function heapPerConnection(before: HeapSample, after: HeapSample, connections: number): HeapPerConnection {
  const n = Math.max(1, connections)
  const types: [string, number][] = []
  for (const [type, count] of Object.entries(after.objectTypeCounts)) {
    const d = (count - (before.objectTypeCounts[type] ?? 0)) / n
    if (d >= 0.05) types.push([type, Math.round(d * 100) / 100])
  }
  types.sort((a, b) => b[1] - a[1])
  const bins: [string, number][] = []
  for (const [size, count] of Object.entries(after.mallocBins ?? {})) {
    const d = (count - (before.mallocBins?.[size] ?? 0)) / n
    if (d >= 0.05) bins.push([size, Math.round(d * 100) / 100])
  }
  bins.sort((a, b) => Number(b[0]) * b[1] - Number(a[0]) * a[1])
  return {
    connections,
    objects: per(before.objects, after.objects, n),
    heapBytes: per(before.heapBytes, after.heapBytes, n, 0),
    externalBytes: per(before.externalBytes, after.externalBytes, n, 0),
    mallocBytes:
      before.mallocBytes === null || after.mallocBytes === null ? null : per(before.mallocBytes, after.mallocBytes, n, 0),
    rssBytes: per(before.rssBytes, after.rssBytes, n, 0),
    types: Object.fromEntries(types.slice(0, 16)),
    mallocBins: Object.fromEntries(bins.slice(0, 12)),
  }
}
