/** The upstream provider's adapters: Massive (REST, options, market status, WebSocket) when a key is configured, else the simulated market. */
import type { Config } from '../config'
import type { Clock } from '../ports/clock'
import type { TickerDirectory, UpstreamFeed, UpstreamRest } from '../ports/upstream'
import type { UpstreamOptions } from '../ports/upstream-options'
import type { UpstreamMarketStatus } from '../ports/upstream-market-status'
import type { UpstreamSplits } from '../ports/upstream-splits'
import type { UpstreamConditions } from '../ports/upstream-conditions'
import type { TradeHistory } from '../ports/upstream-trades'
import { MassiveHttpClient } from '../adapters/massive/http-client'
import { MassiveOptions } from '../adapters/massive/massive-options'
import { MassiveRest } from '../adapters/massive/massive-rest'
import { MassiveMarketStatus } from '../adapters/massive/massive-market-status'
import { MassiveFeed } from '../adapters/massive/massive-feed'
import { MassiveSplits } from '../adapters/massive/massive-splits'
import { MassiveConditions } from '../adapters/massive/massive-conditions'
import { MassiveTrades } from '../adapters/massive/massive-trades'
import { SimulatedTrades } from '../adapters/simulated/simulated-trades'
import { SimulatedSplits } from '../adapters/simulated/splits'
import { SimulatedUpstream } from '../adapters/simulated/simulated-upstream'
import { SimulatedOptions } from '../adapters/simulated/simulated-options'
import { SimulatedFeed } from '../adapters/simulated/simulated-feed'
import { simulatedMarket } from '../adapters/simulated/market'

/** Massive when a key is configured (stocks, options and market status over one transport and request budget), else the deterministic simulated market. */
export function createUpstreams(
  config: Config,
  clock: Clock,
): {
  upstream: UpstreamRest
  tickers: TickerDirectory
  upstreamOptions: UpstreamOptions
  upstreamMarketStatus: UpstreamMarketStatus | null
  splits: UpstreamSplits
  /** The provider's sale-condition rules; null for the simulated market, which trades by the shipped table. */
  conditions: UpstreamConditions | null
  /** Recent trades, for the forming minute's trades from before a symbol's stream began. */
  tradeHistory: TradeHistory
} {
  const apiKey = config.massive.apiKey
  if (!apiKey) {
    const upstream = new SimulatedUpstream({
      clock,
      market: simulatedMarket(config.market.simulatedHours),
      quotesPerTrade: config.market.simulatedQuotesPerTrade,
    })
    return {
      upstream,
      tickers: upstream,
      upstreamOptions: new SimulatedOptions(clock),
      upstreamMarketStatus: null,
      splits: new SimulatedSplits(),
      conditions: null,
      tradeHistory: new SimulatedTrades(simulatedMarket(config.market.simulatedHours), clock),
    }
  }
  const http = new MassiveHttpClient({
    apiKey,
    baseUrl: config.massive.restUrl,
    requestsPerMinute: config.massive.requestsPerMinute,
    reservedInteractivePercent: config.massive.reservedInteractivePercent,
    timeoutMs: config.massive.timeoutMs,
    maxRetries: 3,
    clock,
  })
  const upstream = new MassiveRest({ http })
  return {
    upstream,
    tickers: upstream,
    upstreamOptions: new MassiveOptions({ http, clock }),
    upstreamMarketStatus: new MassiveMarketStatus(http),
    splits: new MassiveSplits(http),
    conditions: new MassiveConditions(http),
    tradeHistory: new MassiveTrades(http),
  }
}

/** The live feed: Massive's WebSocket when a key is configured, else the simulated market's. */
export function createUpstreamFeed(config: Config, clock: Clock): UpstreamFeed {
  if (!config.massive.apiKey)
    return new SimulatedFeed({
      clock,
      market: simulatedMarket(config.market.simulatedHours),
      quotesPerTrade: config.market.simulatedQuotesPerTrade,
    })
  return new MassiveFeed({
    apiKey: config.massive.apiKey,
    url: config.massive.wsUrl,
    clock,
    authTimeoutMs: 10_000,
    pingIntervalMs: 30_000,
    quotes: config.massive.quotes,
  })
}
