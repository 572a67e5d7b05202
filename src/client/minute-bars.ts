/** Pure merge rules for one symbol's minute bars: stream bars by version, coalesced trades, and REST windows replacing a range. */
import type { BarData, TradeData, WireBar } from './wire'

export const minuteMs = 60_000

/**
 * Where a minute bar's values came from. 'final' and 'correction' are the provider's closed bar
 * (authoritative); 'rest' is the server's history as of a fetch; 'live' the server's forming
 * bar; 'trades' a client-side estimate from coalesced trade messages (no exact high/low).
 */
export type BarOrigin = 'rest' | 'live' | 'final' | 'correction' | 'trades'

export interface MinuteBar extends WireBar {
  origin: BarOrigin
  /** The provider's version of a closed bar (see the stream `bar` message). */
  revision?: number
  /** The newest event time the values include (last trade time for live bars and trades; fetch time for REST). */
  asOf: number
}

const isClosed = (b: MinuteBar) => b.origin === 'final' || b.origin === 'correction'

/** Index of the bar with time t, or the insertion point as ~index when absent. */
function findBar(bars: readonly MinuteBar[], t: number): number {
  let lo = 0
  let hi = bars.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (bars[mid].t < t) lo = mid + 1
    else hi = mid
  }
  return lo < bars.length && bars[lo].t === t ? lo : ~lo
}

function put(bars: readonly MinuteBar[], bar: MinuteBar): MinuteBar[] {
  const i = findBar(bars, bar.t)
  const out = bars.slice()
  if (i >= 0) out[i] = bar
  else out.splice(~i, 0, bar)
  return out
}

/**
 * Applies a stream `bar` message. 'final' and 'correction' overwrite (a correction may lower
 * values) unless the bar shown is a later revision. A 'live' bar never replaces a closed bar, and never replaces a live or REST
 * version that already counts more trades (the trade count of a forming minute only grows,
 * so a smaller one is an older view). Returns the same array when nothing changes.
 */
export function mergeStreamBar(bars: readonly MinuteBar[], data: BarData, eventTs: number): readonly MinuteBar[] {
  const { state, ...values } = data
  const next: MinuteBar = { ...values, origin: state, asOf: eventTs }
  const i = findBar(bars, data.t)
  if (state === 'live' && i >= 0) {
    const current = bars[i]
    if (isClosed(current)) return bars
    if ((current.origin === 'rest' || current.origin === 'live') && current.n > data.n) return bars
  }
  // A provider version older than the one shown (revisions only grow) changes nothing.
  if (state !== 'live' && i >= 0 && (bars[i].revision ?? -1) > (data.revision ?? -1)) return bars
  return put(bars, next)
}

/**
 * Applies a coalesced `trade` message (last price, its time, and the window's count and volume).
 * Updates the trade's minute unless that minute is closed or already includes the trade
 * (asOf ≥ t: the server sends the live bar of a flush before its trade window). Opens a new
 * minute only after the newest bar; an unseen older minute is left to the next backfill.
 */
export function applyTrade(bars: readonly MinuteBar[], trade: TradeData): readonly MinuteBar[] {
  const t = Math.floor(trade.t / minuteMs) * minuteMs
  const i = findBar(bars, t)
  if (i >= 0) {
    const b = bars[i]
    if (isClosed(b) || trade.t <= b.asOf) return bars
    const v = b.v + trade.volume
    const vw = v > 0 ? Math.round(((b.vw * b.v + trade.p * trade.volume) / v) * 10_000) / 10_000 : trade.p
    return put(bars, {
      ...b,
      h: Math.max(b.h, trade.p),
      l: Math.min(b.l, trade.p),
      c: trade.p,
      v,
      vw,
      n: b.n + trade.count,
      origin: b.origin === 'rest' || b.origin === 'live' ? b.origin : 'trades',
      asOf: trade.t,
    })
  }
  const newest = bars.length > 0 ? bars[bars.length - 1].t : -Infinity
  if (t <= newest) return bars
  const p = trade.p
  return put(bars, {
    t,
    o: p,
    h: p,
    l: p,
    c: p,
    v: trade.volume,
    vw: p,
    n: trade.count,
    origin: 'trades',
    asOf: trade.t,
  })
}

/** Replaces every bar with t ≥ from by the REST bars (all with t ≥ from, ascending), fetched as of `asOf`. */
export function replaceFrom(
  bars: readonly MinuteBar[],
  from: number,
  rest: readonly WireBar[],
  asOf: number,
): MinuteBar[] {
  const i = findBar(bars, from)
  const keep = bars.slice(0, i >= 0 ? i : ~i)
  for (const b of rest) if (b.t >= from) keep.push(toMinuteBar(b, asOf))
  return keep
}

/** The bars with t ≥ from (for trimming the store). */
export function dropBefore(bars: readonly MinuteBar[], from: number): readonly MinuteBar[] {
  const i = findBar(bars, from)
  const start = i >= 0 ? i : ~i
  return start === 0 ? bars : bars.slice(start)
}

export function toMinuteBar(b: WireBar, asOf: number, origin: BarOrigin = 'rest'): MinuteBar {
  return { t: b.t, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, vw: b.vw, n: b.n, origin, asOf }
}

/** The plain OHLCV values of a bar (what REST would answer). */
export function toWireBar(b: WireBar): WireBar {
  return { t: b.t, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, vw: b.vw, n: b.n }
}
