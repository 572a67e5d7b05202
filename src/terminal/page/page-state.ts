/** What the page remembers per user in this browser (localStorage): the charted ticker, the timeframe, the options panel and the watchlist's sort. */
import { isChartTimespan, type ChartTimespan } from '../../client/chart-series'
import { isSortKey, type WatchSort } from './watch-view'

export interface PageState {
  ticker?: string
  timespan?: ChartTimespan
  /** The options panel was open. */
  options?: boolean
  sort?: WatchSort | null
}

const keyOf = (userId: number) => `market-watch:terminal:user:${userId}`

/** The state saved for `userId`, keeping only well-formed fields (storage may be stale, edited or unavailable). */
export function loadPageState(userId: number): PageState {
  let raw: unknown
  try {
    raw = JSON.parse(localStorage.getItem(keyOf(userId)) ?? 'null')
  } catch {
    return {}
  }
  if (!raw || typeof raw !== 'object') return {}
  const r = raw as Record<string, unknown>
  const out: PageState = {}
  if (typeof r.ticker === 'string' && /^[A-Z][A-Z0-9.-]{0,9}$/.test(r.ticker)) out.ticker = r.ticker
  if (isChartTimespan(r.timespan)) out.timespan = r.timespan
  if (typeof r.options === 'boolean') out.options = r.options
  const sort = r.sort as Record<string, unknown> | null | undefined
  if (sort && isSortKey(sort.key) && (sort.dir === 'asc' || sort.dir === 'desc')) out.sort = { key: sort.key, dir: sort.dir }
  return out
}

/** Remembers `state` for `userId`; a full or disabled storage only means nothing is remembered. */
export function savePageState(userId: number, state: PageState): void {
  try {
    localStorage.setItem(keyOf(userId), JSON.stringify(state))
  } catch {}
}
