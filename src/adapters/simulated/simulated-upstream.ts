/** UpstreamRest over the simulated market: bars and snapshots as of the injected clock, never failing, never rate-limited. */

import type { Clock } from '../../ports/clock.ts'
import type { TickerDirectory, TickerMatch, UpstreamRest, UpstreamStatus } from '../../ports/upstream.ts'
import type { Bar, BaseTimespan, UpstreamSnapshot } from '../../core/market-types.ts'
import { DAY_MS, MINUTE_MS } from '../../core/market-time.ts'
import { nbboAt } from './quote-model.ts'
import { turnEvery } from '../host/event-loop-turns.ts'
import { isKnownTicker, searchSimulatedTickers, simulatedMarket, type SimulatedMarket } from './market.ts'

/** Synchronous work between two turns of the event loop while building a long range of bars or many snapshots. */
const SLICE_MS = 15

export interface SimulatedUpstreamOptions {
  /** Decides what "now" is: bars and snapshots only include trades before clock.now(). */
  clock: Clock
  /** Which simulated market answers (by the exchange calendar, or around the clock). @default the calendar's */
  market?: SimulatedMarket
  /** NBBO quotes per trade (quote-model.ts): snapshots carry lastQuote when > 0, as a plan with quotes. @default 0 */
  quotesPerTrade?: number
}

/**
 * The simulated stand-in for Massive. Results are exact aggregates of the simulated trades
 * (see market.ts), so they agree bar for bar with the simulated live feed. Tickers are
 * case-sensitive; an unknown ticker yields [] bars and is absent from snapshots.
 */
export class SimulatedUpstream implements UpstreamRest, TickerDirectory {
  readonly name = 'simulated' as const
  private readonly clock: Clock
  private readonly market: SimulatedMarket
  private readonly quotesPerTrade: number
  private requests = 0

  constructor(options: SimulatedUpstreamOptions) {
    this.clock = options.clock
    this.market = options.market ?? simulatedMarket('calendar')
    this.quotesPerTrade = options.quotesPerTrade ?? 0
  }

  /** Base bars with fromMs <= t < toMs, ascending, counting trades with t < clock.now(). */
  async fetchBars(ticker: string, timespan: BaseTimespan, fromMs: number, toMs: number): Promise<Bar[]> {
    this.requests++
    const asOfMs = this.clock.now()
    // No bar starts at or after now: the same bars, without walking future days (or forever, for an infinite end).
    const endMs = Math.min(toMs, asOfMs)
    if (!isKnownTicker(ticker) || !Number.isFinite(fromMs) || !(endMs > fromMs)) return []
    // A day's bars cost a few ms (each is built from the day's trades): long ranges are built a day at
    // a time, yielding whenever SLICE_MS of work ran, so years of cold history never stall the event loop.
    const turn = turnEvery(SLICE_MS)
    const out: Bar[] = []
    for (let a = fromMs; a < endMs; a += DAY_MS) {
      const b = Math.min(a + DAY_MS, endMs)
      const bars = timespan === 'minute' ? this.market.minuteBars(ticker, a, b, asOfMs) : this.market.dayBars(ticker, a, b, asOfMs)
      for (const bar of bars) out.push(bar)
      if (b < endMs) await turn()
    }
    return out
  }

  async fetchSnapshots(tickers: string[]): Promise<Map<string, UpstreamSnapshot>> {
    this.requests++
    const nowMs = this.clock.now()
    const out = new Map<string, UpstreamSnapshot>()
    // A cold snapshot builds the previous day's bar and today's so far (a few ms): yield between tickers as bars do.
    const turn = turnEvery(SLICE_MS)
    for (const ticker of tickers) {
      if (!out.has(ticker) && isKnownTicker(ticker)) out.set(ticker, this.withQuote(this.market.snapshotAt(ticker, nowMs), nowMs))
      await turn()
    }
    return out
  }

  async searchTickers(text: string, limit: number): Promise<TickerMatch[]> {
    this.requests++
    return searchSimulatedTickers(text, limit).map(({ ticker, name, type, exchange }) => ({ ticker, name, type, exchange }))
  }

  /** The snapshot with the simulated NBBO in force at `nowMs` as lastQuote (quotes on). */
  private withQuote(snap: UpstreamSnapshot, nowMs: number): UpstreamSnapshot {
    const perTrade = this.quotesPerTrade
    if (perTrade <= 0) return snap
    const quote = nbboAt(snap.ticker, nowMs, snap.updatedAt, (m) => this.market.tradesBetween(snap.ticker, m, m + MINUTE_MS), perTrade)
    if (quote === null) return snap
    const { bid, bidSize, ask, askSize, t } = quote
    return { ...snap, lastQuote: { bid, bidSize, ask, askSize, t } }
  }

  async lookupTicker(ticker: string): Promise<boolean> {
    this.requests++
    return isKnownTicker(ticker)
  }

  status(): UpstreamStatus {
    return {
      name: 'simulated',
      health: 'ok',
      budget: { limitPerMinute: null, remaining: null, resetsAt: null },
      requests: this.requests,
    }
  }
}
