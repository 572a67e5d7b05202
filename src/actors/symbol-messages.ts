/** What a SymbolActor is sent (its mailbox's messages, from the upstream, its timers, the hub and itself) and where its seed comes from. */
import type { ResetReason } from '../contract/messages'
import type { LiveBar, Quote, Trade, UpstreamSnapshot } from '../core/market-types'

export type SymbolMessage =
  | { type: 'tradesArrived'; trades: Trade[] }
  | { type: 'quotesArrived'; quotes: Quote[] }
  | { type: 'barsArrived'; bars: LiveBar[] }
  /** `resets`: the actor's reset count when the seed was asked for (one asked before a reset is on the old scale). */
  | { type: 'seedArrived'; snapshot: UpstreamSnapshot | null; asOf: number; resets: number }
  | { type: 'seedFailed'; error: unknown; resets: number }
  /** The forming minute's trades from before the stream began (TradeHistory). */
  | { type: 'prefixArrived'; trades: Trade[] }
  | { type: 'flushDue' }
  /** A minute's grace has passed: announce it if it ended with no bar. */
  | { type: 'closeDue' }
  /** Upstream events may have been missed (reconnect): start a new epoch. */
  | { type: 'continuityLost' }
  /** The upstream session ended: events are missed until continuityLost (the next session). */
  | { type: 'feedInterrupted' }
  /** A replica gained its first local subscriber: re-publish the latest messages. */
  | { type: 'replayRequested' }
  /** Subscribers appeared (true) or all left and the grace period began (false). */
  | { type: 'audienceChanged'; active: boolean }
  /** The symbol's prices changed scale (a split): forget the state, start a new epoch with a `reset`, seed again. */
  | { type: 'resetRequested'; reason: ResetReason }

/** Day statistics and prev close at start; null when the provider does not know the symbol. */
export type SnapshotSource = (symbol: string) => Promise<UpstreamSnapshot | null>
