/** What the stream module is built from: its injected ports and services, and the knobs tests shorten, with their production defaults. */
import type { TokenVerifier } from '../ports/token-verifier'
import type { Logger } from '../ports/logger'
import type { StreamLimits } from '../actors/connection-actor'
import type { SnapshotSource } from '../actors/symbol-actor'
import type { RegularSessionOf } from '../core/coalesce'
import type { Bus } from '../ports/bus'
import type { Clock } from '../ports/clock'
import type { ConditionTableSource } from '../ports/upstream-conditions'
import type { TradeHistory } from '../ports/upstream-trades'
import type { UserRepo } from '../ports/repos'
import type { ConnectionCounter } from '../ports/connection-counter'
import type { RevokedTokens } from '../ports/revoked-tokens'
import type { SymbolRegistry } from '../ports/symbol-registry'
import type { UpstreamFeed } from '../ports/upstream'
import type { MarketStatusSource } from './market-status-broadcast'

/** Knobs with production defaults; tests shorten them. */
export interface StreamTuning {
  /** How long a SymbolActor outlives its last subscriber. @default 15_000 */
  symbolGraceMs: number
  /** How long a connection may stay conflated before 4002. @default 5_000 */
  maxBehindMs: number
  /** Buffered bytes that switch a connection to conflation. @default sendBufferBytes / 4 */
  softBufferBytes: number
  /** How long a closing socket may take to flush before it is terminated. @default 5_000 */
  closeGraceMs: number
  /** How long stop() waits for sockets to close before terminating them. @default 2_000 */
  stopTimeoutMs: number
  /** Protocol errors allowed per window before 4505. @default 20 per 60 s */
  errorBudget: number
  errorWindowMs: number
  /**
   * How long admission waits for the bus to confirm the user's topic before it checks the
   * revocation store anyway (an outage: the bus loses cross-replica sign-outs then). @default 2_000
   */
  userTopicConfirmMs: number
  /** Hold the upstream on start (single process). A lease sets this false and calls setUpstreamHolding. @default true */
  holdUpstreamOnStart: boolean
  /** @default Math.random */
  random: () => number
}

/** The tuning: the production defaults, with `overrides` on top. */
export function streamTuning(config: StreamLimits, overrides?: Partial<StreamTuning>): StreamTuning {
  return {
    symbolGraceMs: 15_000,
    maxBehindMs: 5_000,
    softBufferBytes: Math.floor(config.sendBufferBytes / 4),
    closeGraceMs: 5_000,
    stopTimeoutMs: 2_000,
    errorBudget: 20,
    errorWindowMs: 60_000,
    userTopicConfirmMs: 2_000,
    holdUpstreamOnStart: true,
    random: Math.random,
    ...overrides,
  }
}

export interface StreamModuleDeps {
  config: StreamLimits
  clock: Clock
  log: Logger
  verifier: TokenVerifier
  watchlist: { missing(userId: number, tickers: string[]): Promise<string[]> }
  /** Whether the token's user exists, asked once per handshake (a primary-key lookup). */
  users: Pick<UserRepo, 'exists'>
  bus: Bus
  registry: SymbolRegistry
  counter: ConnectionCounter
  feed: UpstreamFeed
  corsOrigins: string[]
  /** Prev close and day stats when a symbol actor starts (e.g. simulated snapshotAt, Massive REST snapshot). */
  snapshotSource?: SnapshotSource
  /** Keeps the sign-outs heard from other replicas (the revocation store's local copy, for Redis outages). */
  revocations?: Pick<RevokedTokens, 'learn' | 'isRevoked'>
  tuning?: Partial<StreamTuning>
  /** This process's cap on open streams (beyond it: 4005 SERVER_FULL, /readyz 503). */
  maxConnections: number
  /** `market_status` after `welcome` and at each session change (the market-status service). */
  marketStatus?: MarketStatusSource
  /** Where a day's regular session lies for the live previous close (around the clock: the whole day). @default the exchange calendar */
  regularSession?: RegularSessionOf
  /** The sale-condition rules trades are applied by (the provider's once read). @default the shipped table */
  conditions?: ConditionTableSource
  /** The provider's recent trades: the forming minute's trades from before the stream began seed the first live bar (seedMinutePrefix). @default none (the first live bar covers what was streamed) */
  tradeHistory?: TradeHistory
}
