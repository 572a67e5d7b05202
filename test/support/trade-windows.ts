/** Stream trade messages read back against the market's tape: which prints each message's window counted. */
import type { Trade } from '../../src/core/market-types'
import { eligibilityOf } from '../../src/core/trade-conditions'

/** A trade message's data as the stream sends it: its price-setting print, and the count and volume of its window. */
export interface TradeWindowData {
  t: number
  p: number
  s: number
  count: number
  volume: number
}

/**
 * Null when `messages` (one symbol's trade messages in order, without gaps) are exactly windows of
 * `tape` (the market's prints in order, from the first message's print to well after the last's),
 * else what does not fit. Each message is a price-setting print; its window is the prints after
 * the previous window, up to its own print and any prints after it that set no price (a window is
 * flushed after its last price-setting print and before the next one, so it may end on odd lots);
 * its count and volume are exactly those prints'. Every print is counted once, none is skipped.
 * The first window's start is unknown (the client joined during it), so its end is tried at its
 * print and at each print after it that sets no price.
 */
export function tradeWindowsMisfit(tape: Trade[], messages: TradeWindowData[], setsLast: (t: Trade) => boolean): string | null {
  // Each message's print is looked for after the previous one's: two equal prints in one millisecond are told apart by order.
  let from = 0
  const at = messages.map((d) => {
    const i = tape.findIndex((t, j) => j >= from && t.t === d.t && t.p === d.p && t.s === d.s)
    if (i >= 0) from = i + 1
    return i
  })
  for (const [k, i] of at.entries()) {
    if (i < 0) return `message ${k} (t ${messages[k]!.t}, ${messages[k]!.s} @ ${messages[k]!.p}) is no print on the tape`
    if (!setsLast(tape[i]!)) return `message ${k} is a print that sets no price`
  }
  const unvolumed = tape.findIndex((t) => !eligibilityOf(t.c).price.volume)
  if (unvolumed >= 0) return `print ${unvolumed} counts no volume: these windows are read only on tapes where every print counts`
  let misfit = 'no window fits'
  for (let firstEnd = at[0]!; firstEnd < tape.length && (firstEnd === at[0] || !setsLast(tape[firstEnd]!)); firstEnd++) {
    const problem = windowsAfter(firstEnd)
    if (problem === null) return null
    misfit = `with the first window ending at print ${firstEnd}: ${problem}`
  }
  return misfit

  function windowsAfter(firstEnd: number): string | null {
    let end = firstEnd
    for (let k = 1; k < messages.length; k++) {
      const { count, volume } = messages[k]!
      const start = end + 1
      end += count
      if (end >= tape.length) return `message ${k} counts ${count} prints, past the tape's end`
      if (at[k]! < start || at[k]! > end) return `message ${k}'s print ${at[k]} is outside its window, prints ${start}..${end}`
      const later = tape.slice(at[k]! + 1, end + 1).findIndex(setsLast)
      if (later >= 0) return `message ${k}'s window, prints ${start}..${end}, goes past the price-setting print ${at[k]! + 1 + later}`
      const onTape = tape.slice(start, end + 1).reduce((v, t) => v + t.s, 0)
      if (onTape !== volume) return `message ${k}'s volume ${volume} is not its window's ${onTape} (prints ${start}..${end})`
    }
    return null
  }
}
