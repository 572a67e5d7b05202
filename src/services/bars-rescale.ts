/** The overlap check of an upstream bars fetch: one stored final bar asked for again in the same call, to notice a split the splits reference did not report. */
import { DAY_MS } from '../core/market-time'
import type { Bar, BaseTimespan } from '../core/market-types'
import { rescaleBetween } from '../core/splits'
import type { BarRepo } from '../ports/repos'
import type { RequestPriority, UpstreamRest } from '../ports/upstream'

/**
 * Told when the provider's bar of a bucket is a stored final bar divided by `ratio`: its history was
 * adjusted for a split the splits reference did not report (splits-service applies it).
 */
export type RescaleNotice = (ticker: string, ratio: number) => Promise<unknown>

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
  if (!last) return { bars, rescaled: false }
  const again = bars.find((b) => b.t === last.t)
  const ratio = again ? rescaleBetween(last, again) : null
  if (ratio !== null) await check.notice(ticker, ratio)
  return { bars: bars.filter((b) => b.t >= from), rescaled: ratio !== null }
}
