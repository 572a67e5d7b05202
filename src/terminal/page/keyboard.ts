/** The page's keys: `/` focuses the add box, 1-8 pick a timeframe, arrow keys move into the watchlist (which then moves by arrows, Enter selects). */
import { chartTimespans, type ChartTimespan } from '../../client/chart-series'

export interface KeyActions {
  focusSearch(): void
  focusWatchlist(): void
  timeframe(span: ChartTimespan): void
}

const order = Object.keys(chartTimespans) as ChartTimespan[]

/** True while the user types into a field (the page's keys then stay out of the way). */
function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return !!el && (el.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName))
}

export function bindKeys(actions: KeyActions): void {
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return
    if (e.key === 'Escape' && typing(e.target)) return (e.target as HTMLElement).blur()
    if (typing(e.target)) return
    if (e.key === '/') {
      e.preventDefault()
      actions.focusSearch()
    } else if (/^[1-8]$/.test(e.key)) {
      actions.timeframe(order[Number(e.key) - 1])
    } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && !(e.target as HTMLElement).closest?.('#watch-body')) {
      e.preventDefault()
      actions.focusWatchlist()
    }
  })
}
