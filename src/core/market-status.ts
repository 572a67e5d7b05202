/** Market status as users see it (GET /market-status, the stream's `market_status`) and the provider's word merged into the calendar. Pure. */

import type { CalendarOverride, ExchangeCalendar, Market } from './calendar.ts'

/** One closed or early-close day ahead; open and close (UTC ISO-8601) only on early closes. */
export interface UpcomingDay {
  date: string
  name: string
  status: 'closed' | 'early_close'
  open: string | null
  close: string | null
}

/** The market status answer (times UTC ISO-8601). */
export interface MarketStatus {
  market: Market
  server_time: string
  /** Today's (New York) regular session; null when today is not a trading day. */
  session_opens_at: string | null
  session_closes_at: string | null
  /** The first regular open and close strictly after server_time. */
  next_open: string
  next_close: string
  early_close: boolean
  /** Today's holiday (closed, or the holiday an early close belongs to), else null. */
  holiday: string | null
  upcoming: UpcomingDay[]
  /** Present (true) when the simulated market trades around the clock (SIMULATED_MARKET_HOURS=always): `market` is then always open, the other fields are the exchange calendar's. */
  simulated_always_open?: true
}

/** How many closed and early-close days `upcoming` lists. */
export const UPCOMING_DAYS = 10

const iso = (ms: number) => new Date(ms).toISOString()
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))

/** The status at nowMs by a calendar; `alwaysOpen` (the simulated market around the clock) says open whatever the calendar says. */
export function marketStatusAt(calendar: ExchangeCalendar, nowMs: number, alwaysOpen = false): MarketStatus {
  const s = calendar.sessionAt(nowMs)
  const status: MarketStatus = {
    market: alwaysOpen ? 'open' : s.market,
    server_time: iso(nowMs),
    session_opens_at: isoOrNull(s.opensAt),
    session_closes_at: isoOrNull(s.closesAt),
    next_open: iso(calendar.nextOpen(nowMs)),
    next_close: iso(calendar.nextClose(nowMs)),
    early_close: s.earlyClose,
    holiday: s.holiday,
    upcoming: calendar.upcomingHolidays(nowMs, UPCOMING_DAYS).map((d) => ({
      date: d.date,
      name: d.name,
      status: d.status,
      open: isoOrNull(d.open),
      close: isoOrNull(d.close),
    })),
  }
  if (alwaysOpen) status.simulated_always_open = true
  return status
}

/** The provider's market now (Massive /v1/marketstatus/now), in our terms. */
export interface ProviderMarketNow {
  /** pre / open / post / closed; null for a value we do not know (it then overrides nothing). */
  market: Market | null
  /** The provider's clock when it answered (UTC ms). */
  serverTime: number
}

/** One row of the provider's upcoming list (Massive /v1/marketstatus/upcoming), times in UTC ms. */
export interface ProviderHoliday {
  date: string
  exchange: string
  name: string
  status: 'closed' | 'early_close'
  open: number | null
  close: number | null
}

/** Name of a closure the provider reports today that the calendar does not know. */
export const UNSCHEDULED_CLOSURE_NAME = 'Unscheduled closure'

/** Near a session boundary the provider's cached answer and our clock may disagree by a little: no override from there. */
export const BOUNDARY_MARGIN_MS = 2 * 60_000

/**
 * The override of today that the provider's `now` implies, or null when it agrees with the
 * calendar (or is too close to a boundary, or unknown): closed while the calendar has a session →
 * an unscheduled closure of that day; trading on a weekday the calendar has closed → an ordinary day.
 */
export function overrideFromNow(calendar: ExchangeCalendar, now: ProviderMarketNow): CalendarOverride | null {
  if (now.market === null || !Number.isFinite(now.serverTime)) return null
  const computed = calendar.sessionAt(now.serverTime)
  if (now.serverTime - computed.since < BOUNDARY_MARGIN_MS || computed.until - now.serverTime < BOUNDARY_MARGIN_MS)
    return null
  if (now.market === 'closed' && computed.market !== 'closed')
    return { date: computed.date, name: UNSCHEDULED_CLOSURE_NAME, status: 'closed' }
  if (now.market !== 'closed' && computed.market === 'closed' && computed.opensAt === null && computed.holiday !== null)
    return { date: computed.date, name: computed.holiday, status: 'open' }
  return null
}

/**
 * Calendar overrides from the provider's upcoming list: one per date, the NYSE row first, then
 * Nasdaq (both keep the same days); other exchanges' rows (OTC) are ignored.
 */
export function overridesFromUpcoming(rows: readonly ProviderHoliday[]): CalendarOverride[] {
  const rank = (exchange: string) => ['NYSE', 'NASDAQ'].indexOf(exchange.toUpperCase())
  const byDate = new Map<string, ProviderHoliday>()
  for (const row of rows) {
    if (rank(row.exchange) < 0) continue
    const kept = byDate.get(row.date)
    if (!kept || rank(row.exchange) < rank(kept.exchange)) byDate.set(row.date, row)
  }
  return [...byDate.values()]
    .sort((a, b) => (a.date < b.date ? -1 : 1))
    .map((row) =>
      row.status === 'closed'
        ? { date: row.date, name: row.name, status: 'closed' }
        : {
            date: row.date,
            name: row.name,
            status: 'early_close',
            open: row.open ?? undefined,
            close: row.close ?? undefined,
          },
    )
}
