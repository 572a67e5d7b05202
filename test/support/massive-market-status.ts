/** The local Massive server's /v1/marketstatus/now and /upcoming (market-rules.md §2.3), from the computed calendar plus closures a test injects. */

import { exchangeCalendar, type CalendarOverride, type ExchangeCalendar } from '../../src/core/calendar.ts'
import { nyDayIndex, nyOffsetMs, dateOfDayIndex } from '../../src/core/market-time.ts'
import type { FakeReply } from './massive-aggs.ts'

export const MARKET_NOW_PATH = '/v1/marketstatus/now'
export const MARKET_UPCOMING_PATH = '/v1/marketstatus/upcoming'

/** How many closed and early-close days /upcoming lists (per exchange). */
const UPCOMING_DAYS = 12
const EXCHANGES = ['NYSE', 'NASDAQ'] as const

export function isMarketStatusPath(pathname: string): boolean {
  return pathname === MARKET_NOW_PATH || pathname === MARKET_UPCOMING_PATH
}

/** The fake provider believes the rules with `extra` days (e.g. an unscheduled closure) over them. */
export function handleMarketStatus(pathname: string, nowMs: number, extra: readonly CalendarOverride[]): FakeReply {
  const calendar = exchangeCalendar(extra)
  return pathname === MARKET_NOW_PATH ? marketNow(calendar, nowMs) : marketUpcoming(calendar, nowMs)
}

/** `now`: market open / extended-hours / closed with the earlyHours and afterHours flags, serverTime with the New York offset. */
function marketNow(calendar: ExchangeCalendar, nowMs: number): FakeReply {
  const { market } = calendar.sessionAt(nowMs)
  const wire = market === 'open' ? 'open' : market === 'closed' ? 'closed' : 'extended-hours'
  return {
    status: 200,
    body: {},
    bare: {
      market: wire,
      earlyHours: market === 'pre',
      afterHours: market === 'post',
      serverTime: rfc3339NewYork(nowMs),
      exchanges: { nyse: wire, nasdaq: wire, otc: wire },
      currencies: { fx: 'open', crypto: 'open' },
    },
  }
}

/** `upcoming`: a bare array, future dates only, one row per exchange; UTC open and close with milliseconds on early closes only. */
function marketUpcoming(calendar: ExchangeCalendar, nowMs: number): FakeReply {
  const today = dateOfDayIndex(nyDayIndex(nowMs))
  const rows = calendar
    .upcomingHolidays(nowMs, UPCOMING_DAYS + 1)
    .filter((d) => d.date > today)
    .slice(0, UPCOMING_DAYS)
    .flatMap((d) =>
      EXCHANGES.map((exchange) =>
        d.status === 'closed'
          ? { exchange, name: d.name, date: d.date, status: 'closed' }
          : {
              exchange,
              name: d.name,
              date: d.date,
              status: 'early-close',
              open: new Date(d.open!).toISOString(),
              close: new Date(d.close!).toISOString(),
            },
      ),
    )
  return { status: 200, body: {}, bare: rows }
}

/** 2022-04-28T16:48:08-04:00: the New York wall clock with its offset, as the provider writes serverTime. */
function rfc3339NewYork(ms: number): string {
  const offset = nyOffsetMs(ms)
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offset).toISOString().slice(0, 19)
  const hours = Math.abs(offset) / 3_600_000
  return `${wall}${offset < 0 ? '-' : '+'}${String(hours).padStart(2, '0')}:00`
}
