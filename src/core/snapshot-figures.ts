/** Snapshot change figures: `change` and `change_pct` from the unrounded last price against the previous regular-session close, rounded once. */

export interface SnapshotFigures {
  /** last − prevClose, rounded to 4 decimals. */
  change: number
  /** (last − prevClose) / prevClose × 100, rounded to 3 decimals; 0 when prevClose is 0. */
  changePct: number
}

/** Rounds to `decimals` places, half away from zero, after removing binary noise (0.015 − 0.010 is 0.005, not 0.0049999). */
function roundTo(x: number, decimals: number): number {
  const scale = 10 ** decimals
  const scaled = Number((Math.abs(x) * scale).toPrecision(12))
  const r = Math.round(scaled) / scale
  return x < 0 && r !== 0 ? -r : r
}

/** The figures of a snapshot: both computed from the unrounded difference, rounded only here. */
export function snapshotFigures(last: number, prevClose: number): SnapshotFigures {
  const diff = last - prevClose
  return {
    change: roundTo(diff, 4),
    changePct: prevClose === 0 ? 0 : roundTo((diff / prevClose) * 100, 3),
  }
}
