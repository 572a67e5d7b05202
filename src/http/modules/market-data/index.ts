/** Market-data routes: bars, snapshots, market status and the data-path status. */
import { Elysia } from 'elysia'
import type { BarCursorCodec } from '../../../core/bar-cursor'
import { parseBarQuery } from '../../../core/bar-query'
import type { Clock } from '../../../ports/clock'
import type { UpstreamRest } from '../../../ports/upstream'
import type { TokenVerifier } from '../../../ports/token-verifier'
import { createAuthPlugin } from '../../auth-plugin'
import { errors } from '../../model'
import { createRateLimitPlugin, rateLimitedDoc, type RestRateLimits } from '../../rate-limit-plugin'
import type { BarsService } from '../../../services/bars-service'
import { MarketDataModel } from './model'
import type { SnapshotsService } from '../../../services/snapshots-service'
import type { MarketStatusService } from '../../../services/market-status'

export interface MarketDataRoutesOptions {
  bars: BarsService
  /** Reads back the cursors BarsService signs. */
  cursors: BarCursorCodec
  snapshots: SnapshotsService
  marketStatus: Pick<MarketStatusService, 'current'>
  upstream: UpstreamRest
  verifier: TokenVerifier
  rateLimits: RestRateLimits
  clock: Clock
  /** Status of other parts (stream, bus), merged into the status answer. */
  components: () => Record<string, unknown>
}

export function createMarketDataRoutes(o: MarketDataRoutesOptions) {
  return new Elysia({ prefix: '/api/v1/market-data', tags: ['market data'] })
    .use(createAuthPlugin(o.verifier))
    .use(createRateLimitPlugin(o.verifier, o.rateLimits))
    .get(
      '/bars',
      async ({ query }) =>
        new Response(await o.bars.pageJson(parseBarQuery(query, o.clock.now(), o.cursors)), {
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      {
        auth: true,
        rateLimit: 'market',
        query: MarketDataModel.barsQuery,
        response: { 200: MarketDataModel.barsPage, ...errors(400, 401, 404, 429, 502, 503) },
        detail: {
          summary: 'OHLCV bars',
          description:
            'Ascending bars for one ticker. Errors: INVALID_TICKER, INVALID_TIMESPAN, INVALID_MULTIPLIER, INVALID_FROM, INVALID_TO, INVALID_RANGE, RANGE_TOO_LARGE, INVALID_LIMIT, INVALID_CURSOR, INVALID_SESSION (400); UNKNOWN_TICKER (404); UPSTREAM_AUTH_FAILED, UPSTREAM_NOT_AUTHORIZED, UPSTREAM_BAD_RESPONSE, UPSTREAM_ERROR (502); UPSTREAM_UNAVAILABLE (503, with Retry-After when known); ' +
            rateLimitedDoc +
            '.',
        },
      },
    )
    .get('/snapshots', ({ request }) => o.snapshots.get(new URL(request.url).searchParams.getAll('tickers')), {
      auth: true,
      rateLimit: 'market',
      query: MarketDataModel.snapshotsQuery,
      response: { 200: MarketDataModel.snapshots, ...errors(400, 401, 429, 502, 503) },
      detail: {
        summary: 'Snapshots for many tickers',
        description: `Errors: MISSING_TICKERS, INVALID_TICKER, TOO_MANY_TICKERS (400); ${rateLimitedDoc}; per-ticker UNKNOWN_TICKER or SNAPSHOT_UNAVAILABLE in \`errors\`.`,
      },
    })
    .get('/market-status', () => o.marketStatus.current(), {
      auth: true,
      rateLimit: 'rest',
      response: { 200: MarketDataModel.marketStatus, ...errors(401, 429) },
      detail: {
        summary: 'Market session now (pre / open / post / closed), the next open and close, and the closed days ahead',
        description:
          "US equities by the exchange calendar (New York time; holidays, 13:00 early closes), with the provider's market status merged in when Massive is configured (an unscheduled closure). Times are UTC ISO-8601. The stream sends the same data as `market_status`.",
      },
    })
    .get(
      '/status',
      () => {
        const s = o.upstream.status()
        return {
          upstream: {
            name: s.name,
            health: s.health,
            ...(s.reason ? { reason: s.reason } : {}),
            budget: {
              limit_per_minute: s.budget.limitPerMinute,
              remaining: s.budget.remaining,
              resets_at: s.budget.resetsAt === null ? null : new Date(s.budget.resetsAt).toISOString(),
            },
            requests: s.requests,
          },
          components: o.components(),
        }
      },
      {
        auth: true,
        rateLimit: 'rest',
        response: { 200: MarketDataModel.status, ...errors(401, 429) },
        detail: { summary: 'Which upstream is in use, its health and why, and the request budget left' },
      },
    )
}
