/** The first minute of a symbol's stream made whole: its trades from before the subscribe (the provider's) merged with those streamed, each counted once. */
import { openAccumulator } from './bars'
import { inRegularSession, type SymbolState } from './coalesce'
import { MINUTE_MS, nyDayIndex } from './market-time'
import type { Trade } from './market-types'
import { accumulateMinuteTrade, eligibilityOf } from './trade-conditions'

/** Keeps the trades of the first minute seen until its prefix is seeded or it passes. */
export function keepFirstMinute(s: SymbolState, minute: number, trade: Trade): void {
  const first = s.firstMinute
  if (first === 'done') return
  if (first === null) s.firstMinute = { t: minute, trades: [trade] }
  else if (first.t === minute) first.trades.push(trade)
  else s.firstMinute = 'done'
}

/**
 * Seeds the forming minute with its trades from before the stream began (ascending; e.g. the
 * provider's trades of the minute up to the subscribe time), so the first live minute after a
 * subscribe is the whole minute, as its final bar will be. The minute is rebuilt in trade order
 * (prefix, then the trades already streamed, a trade in both counted once by its sequence
 * number), so it equals the provider's bar exactly. Ignored for a minute other than the forming one.
 */
export function seedMinutePrefix(s: SymbolState, prefix: readonly Trade[]): void {
  if (prefix.length === 0 || s.firstMinute === 'done') return
  const minute = Math.floor(prefix[0].t / MINUTE_MS) * MINUTE_MS
  if (s.finalized.includes(minute) || (s.live !== null && s.live.t !== minute)) return
  if (s.firstMinute !== null && s.firstMinute.t !== minute) return
  const streamed = s.firstMinute?.t === minute ? s.firstMinute.trades : []
  // Before the first streamed trade by sequence number and by time (should the two numberings ever differ, the overlap stays bounded).
  const first = streamed[0]
  const earlier = first === undefined ? prefix : prefix.filter((t) => t.q < first.q && t.t <= first.t)
  const acc = openAccumulator(minute)
  let lastQ = -Infinity
  let lastT = -Infinity
  for (const trade of [...earlier, ...streamed]) {
    if (Math.floor(trade.t / MINUTE_MS) * MINUTE_MS !== minute) continue
    const day = nyDayIndex(trade.t)
    accumulateMinuteTrade(acc, trade.p, trade.s, eligibilityOf(trade.c, s.conditions), inRegularSession(s, day, trade.t))
    lastQ = Math.max(lastQ, trade.q)
    lastT = Math.max(lastT, trade.t)
  }
  s.live = acc
  s.prefixQ = lastQ
  s.prefixT = lastT
  s.firstMinute = 'done'
  s.pendingLive = true
}
