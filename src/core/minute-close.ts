/** Which minutes of a symbol's stream ended with no bar at all: announced once, so a client stops waiting for one. */
import { calendarRegularSession, type RegularSessionOf } from './coalesce'
import { MINUTE_MS, nyDayIndex } from './market-time'
import { nyInstant, POST_MARKET_MS, PRE_MARKET_OPEN_MINUTE } from './sessions'

/** How long after a minute's end the provider's bar may still be on its way (Massive sends `AM` about 2 s after). */
export const defaultCloseGraceMs = 5_000

export interface MinuteCloser {
  /** Start of the first minute not yet decided; null before the stream starts. */
  next: number | null
  /** Minutes that had a live bar (a price-setting trade), not yet decided. */
  traded: number[]
}

export const createMinuteCloser = (): MinuteCloser => ({ next: null, traded: [] })

/** Starts deciding at the minute after `now`: the minute in progress may have traded before the stream began. */
export function startClosing(c: MinuteCloser, now: number): void {
  c.next = Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS
  c.traded = []
}

/** Stops deciding (the feed is interrupted): startClosing begins again after the gap. */
export function stopClosing(c: MinuteCloser): void {
  c.next = null
  c.traded = []
}

/** Records that minute `t` had a live bar: its final bar (or its correction) will be its announcement. */
export function noteTraded(c: MinuteCloser, t: number | null): void {
  if (t !== null && (c.next === null || t >= c.next) && !c.traded.includes(t)) c.traded.push(t)
}

/** When the next minute can be decided, or null when the closer has not started. */
export function nextDecisionAt(c: MinuteCloser, graceMs: number): number | null {
  return c.next === null ? null : c.next + MINUTE_MS + graceMs
}

/** True when `t` lies in its New York day's trading sessions (pre-market to the end of post-market). */
export function inTradingSessions(t: number, regularSessionOf: RegularSessionOf = calendarRegularSession): boolean {
  const day = nyDayIndex(t)
  const regular = regularSessionOf(day)
  if (regular === null) return false
  const [open, close] = regular
  // Around the clock (the simulated market's `always`), the regular session is the whole day.
  const start = Math.min(open, nyInstant(day, PRE_MARKET_OPEN_MINUTE))
  return t >= start && t < close + POST_MARKET_MS
}

export interface CloseInputs {
  now: number
  graceMs: number
  /** Minutes the provider has sent a bar for. */
  finalized: readonly number[]
  regularSessionOf?: RegularSessionOf
}

/**
 * Decides every minute whose grace has passed: returns the starts of those that had neither a
 * live bar nor a provider bar, inside the trading sessions (ascending). A long gap (a sleeping
 * process) decides at most the last hour; older minutes are left undecided, never guessed.
 */
export function closeMinutes(c: MinuteCloser, i: CloseInputs): number[] {
  if (c.next === null) return []
  const lastDecidable = Math.floor((i.now - i.graceMs) / MINUTE_MS) * MINUTE_MS - MINUTE_MS
  if (lastDecidable < c.next) return []
  const empty: number[] = []
  for (let m = Math.max(c.next, lastDecidable - 59 * MINUTE_MS); m <= lastDecidable; m += MINUTE_MS) {
    if (!c.traded.includes(m) && !i.finalized.includes(m) && inTradingSessions(m, i.regularSessionOf)) empty.push(m)
  }
  c.next = lastDecidable + MINUTE_MS
  c.traded = c.traded.filter((t) => t >= c.next!)
  return empty
}
