/** Interval math for stored-bar coverage: half-open [from, to) ranges, merged and subtracted. Pure. */

export type Range = readonly [from: number, to: number]

/** Sorted, non-overlapping, adjacent ranges joined. */
export function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0])
  const out: [number, number][] = []
  for (const [a, b] of sorted) {
    const last = out[out.length - 1]
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else out.push([a, b])
  }
  return out
}

/** The parts of [from, to) that no covered range contains, ascending. */
export function missingRanges(covered: readonly Range[], from: number, to: number): Range[] {
  const out: Range[] = []
  let cursor = from
  for (const [a, b] of mergeRanges(covered)) {
    if (b <= cursor) continue
    if (a >= to) break
    if (a > cursor) out.push([cursor, Math.min(a, to)])
    cursor = Math.max(cursor, b)
    if (cursor >= to) break
  }
  if (cursor < to) out.push([cursor, to])
  return out
}

/** Splits [from, to) into consecutive pieces of at most `step`. */
export function segments([from, to]: Range, step: number): Range[] {
  const out: Range[] = []
  for (let a = from; a < to; a += step) out.push([a, Math.min(a + step, to)])
  return out
}
