/** Small statistics for the bench: percentiles of latency samples, medians of repeated runs, rounding. */

/** Percentile p (0–100) of an ascending array (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export interface LatencySummary {
  samples: number
  p50: number
  p99: number
  p999: number
  max: number
}

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort()
  return {
    samples: sorted.length,
    p50: round(percentile(sorted, 50), 2),
    p99: round(percentile(sorted, 99), 2),
    p999: round(percentile(sorted, 99.9), 2),
    max: round(sorted.length ? sorted[sorted.length - 1]! : NaN, 2),
  }
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export function round(x: number, digits = 0): number {
  if (!Number.isFinite(x)) return x
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** a / b rounded, or null when either is missing. */
export function ratio(a: number | null | undefined, b: number | null | undefined, digits = 2): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null
  return round(a / b, digits)
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
