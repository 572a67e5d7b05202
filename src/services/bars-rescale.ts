/** The overlap check of an upstream bars fetch: one stored final bar asked for again in the same call, to notice a split the splits reference did not report. */
import { DAY_MS } from '../core/market-time'
import type { Bar, BaseTimespan } from '../core/market-types'
import { rescaleBetween } from '../core/splits'
import { DatabaseUnavailableError } from '../errors'
import type { BarRepo, StoredBarRef } from '../ports/repos'
import type { RequestPriority, UpstreamRest } from '../ports/upstream'

/**
 * Told when the provider's bar of a bucket is the stored final bar `compared` divided by `ratio`:
 * its history was adjusted for a split (splits-service applies it). Resolves true when the stored
 * bars `compared` belonged to are gone now (dropped by this notice or before it).
 */
export type RescaleNotice = (ticker: string, ratio: number, compared: StoredBarRef) => Promise<boolean>

/** Base bars from the upstream, and whether they showed the stored history on an old scale. */
export interface CheckedBars {
  bars: Bar[]
  rescaled: boolean
}

export interface RescaleCheck {
  repo: Pick<BarRepo, 'lastCoveredBefore'>
  upstream: Pick<UpstreamRest, 'fetchBars'>
  notice: RescaleNotice
}

/** How far back the stored bar compared may lie: a long weekend of minutes, a week of days. */
const lookbackMs = 7 * DAY_MS

/**
 * Base bars in [from, to) from the upstream, asked from the newest stored bar before `from` when
 * coverage joins the two, so the call returns one bar more and no other. Final bars of one bucket
 * agree unless corrected (a small change); when the provider's is the stored one split-adjusted, its
 * history was adjusted for a split, which is noticed (and applied) before the caller stores anything.
 * When the stored bars could not be dropped, throws DATABASE_UNAVAILABLE: bars on the new scale are
 * neither stored nor answered next to stored ones on the old.
 */
export async function fetchChecked(
  check: RescaleCheck,
  ticker: string,
  base: BaseTimespan,
  [from, to]: [number, number],
  priority: RequestPriority,
): Promise<CheckedBars> {
  // A safety net: a failed look at storage only skips the check.
  const last = await check.repo.lastCoveredBefore(ticker, base, from, from - lookbackMs).catch(() => null)
  const bars = await check.upstream.fetchBars(ticker, base, last?.t ?? from, to, priority)
  const asked = last ? bars.filter((b) => b.t >= from) : bars
  const again = last && bars.find((b) => b.t === last.t)
  const ratio = again ? rescaleBetween(last, again) : null
  if (ratio === null) return { bars: asked, rescaled: false }
  if (!(await check.notice(ticker, ratio, { timespan: base, bar: last! })))
    throw new DatabaseUnavailableError(`${ticker}: stored bars on the scale before a split could not be dropped`)
  return { bars: asked, rescaled: true }
}
