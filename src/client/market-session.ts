/** The market-session pill's words from a market status: "Pre-market", "Open", "After-hours", "Closed · opens Mon 09:30 ET", "Open (simulated, always)". Pure. */
import type { MarketStatus } from '../contract/rest'

export interface SessionPill {
  /** pre / open / post / closed (for styling). */
  state: MarketStatus['market']
  text: string
}

const nyWeekdayTime = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})
const nyDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' })
const nyTime = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

/** "09:30 ET" when `at` is on the same New York day as `now`, else "Mon 09:30 ET". */
function when(atIso: string, nowIso: string): string {
  const at = Date.parse(atIso)
  const sameDay = nyDate.format(at) === nyDate.format(Date.parse(nowIso))
  return `${sameDay ? nyTime.format(at) : nyWeekdayTime.format(at).replace(',', '')} ET`
}

export function sessionPill(s: MarketStatus): SessionPill {
  if (s.simulated_always_open) return { state: 'open', text: 'Open (simulated, always)' }
  switch (s.market) {
    case 'pre':
      return { state: 'pre', text: `Pre-market · opens ${when(s.next_open, s.server_time)}` }
    case 'open':
      return { state: 'open', text: `Open · closes ${when(s.next_close, s.server_time)}` }
    case 'post':
      return { state: 'post', text: `After-hours · opens ${when(s.next_open, s.server_time)}` }
    default:
      return { state: 'closed', text: `Closed · opens ${when(s.next_open, s.server_time)}` }
  }
}

/** The newer of two statuses (by server_time): a late REST answer never hides a newer stream frame. */
export function newerStatus(current: MarketStatus | null, next: MarketStatus): MarketStatus {
  return current !== null && Date.parse(current.server_time) > Date.parse(next.server_time) ? current : next
}
