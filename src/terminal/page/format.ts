/** Display formatting for the terminal page: prices, changes, volumes and New York times. */

const ny = (options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour12: false, ...options })
const nyTime = ny({ hour: '2-digit', minute: '2-digit', second: '2-digit' })
const nyMinute = ny({ hour: '2-digit', minute: '2-digit' })
const nyDay = ny({ month: 'short', day: 'numeric' })
const nyFull = ny({ year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
const nyYear = ny({ year: 'numeric' })
const nyMonth = ny({ month: 'short', year: '2-digit' })

export function price(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—'
  return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: v < 1 ? 4 : 2 })
}

export function signed(v: number | null, digits = 2, suffix = ''): string {
  if (v === null || !Number.isFinite(v)) return '—'
  const s = Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  return `${v > 0 ? '+' : v < 0 ? '−' : ''}${s}${suffix}`
}

export function volume(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}B`
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}K`
  return String(v)
}

/** HH:MM:SS in New York (the row's last update). */
export const clockTime = (ms: number | null) => (ms === null ? '—' : nyTime.format(ms))
export const fullTime = (ms: number) => `${nyFull.format(ms)} ET`

/** Tick labels for the chart's time axis (seconds since epoch), by tick kind (year, month, day, time). */
export function tickLabel(seconds: number, kind: number): string {
  const ms = seconds * 1000
  if (kind === 0) return nyYear.format(ms)
  if (kind === 1) return nyMonth.format(ms)
  if (kind === 2) return nyDay.format(ms)
  return nyMinute.format(ms)
}

export const direction = (v: number | null) => (v === null || v === 0 ? 'flat' : v > 0 ? 'up' : 'down')
