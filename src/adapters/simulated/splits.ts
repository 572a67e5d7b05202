/** The simulated market's split schedule (AVGO 4-for-1 on 2026-11-16) and the UpstreamSplits adapter over it. */

import { splitRatio, splitStartMs, type Split } from '../../core/splits.ts'
import type { UpstreamSplits } from '../../ports/upstream-splits.ts'

/**
 * Fixed, like the rest of the simulated market. Trades before 00:00 New York of the execution
 * date happen on the old scale (4× the price, in lots as usual); history as of a later instant is
 * split-adjusted, as the provider's default `adjusted=true` is.
 */
export const simulatedSplits: readonly Split[] = [{ ticker: 'AVGO', executionDate: '2026-11-16', splitFrom: 1, splitTo: 4 }]

const byTicker = new Map<string, { split: Split; startMs: number; ratio: number }[]>()
for (const split of simulatedSplits) {
  const list = byTicker.get(split.ticker) ?? []
  list.push({ split, startMs: splitStartMs(split), ratio: splitRatio(split) })
  byTicker.set(split.ticker, list)
}

/** The splits of a ticker (empty for most). */
export function splitsOf(ticker: string): Split[] {
  return (byTicker.get(ticker) ?? []).map((e) => e.split)
}

/** How many times the price a trade at tMs is quoted in, against today's scale: the product of the ratios of later splits (1: none). */
export function preSplitScale(ticker: string, tMs: number): number {
  const list = byTicker.get(ticker)
  if (list === undefined) return 1
  let scale = 1
  for (const e of list) if (tMs < e.startMs) scale *= e.ratio
  return scale
}

/** The ratio a bar of `ticker` starting at tMs is adjusted by as of asOfMs (1: nothing to adjust). */
export function adjustmentAsOf(ticker: string, tMs: number, asOfMs: number): number {
  const list = byTicker.get(ticker)
  if (list === undefined) return 1
  let ratio = 1
  for (const e of list) if (tMs < e.startMs && e.startMs <= asOfMs) ratio *= e.ratio
  return ratio
}

/** The schedule over the UpstreamSplits port (every split in the range, announced or done). */
export class SimulatedSplits implements UpstreamSplits {
  constructor(private readonly schedule: readonly Split[] = simulatedSplits) {}

  async fetchSplits(fromDate: string, toDate: string): Promise<Split[]> {
    return this.schedule
      .filter((s) => s.executionDate >= fromDate && s.executionDate <= toDate)
      .sort((a, b) => (a.executionDate < b.executionDate ? -1 : a.executionDate > b.executionDate ? 1 : 0))
  }
}
