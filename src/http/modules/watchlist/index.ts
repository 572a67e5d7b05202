/** Watchlist routes: list, add (idempotent), remove; every route is the signed-in user's own list. */
import { Elysia } from 'elysia'
import { createAuthPlugin } from '../../auth-plugin'
import type { Watchlist } from '../../../contract/rest'
import { errors } from '../../model'
import { createRateLimitPlugin, rateLimitedDoc, type RestRateLimits } from '../../rate-limit-plugin'
import type { TokenVerifier } from '../../../ports/token-verifier'
import type { WatchlistEntry } from '../../../ports/repos'
import type { WatchlistService } from '../../../services/watchlist-service'
import { WatchlistModel } from './model'

export function createWatchlistRoutes(
  service: WatchlistService,
  verifier: TokenVerifier,
  cap: number,
  rateLimits: RestRateLimits,
) {
  const view = (items: WatchlistEntry[]): Watchlist => ({
    items: items.map((i) => ({ ticker: i.ticker, added_at: i.addedAt.toISOString() })),
    max: cap,
  })
  return new Elysia({ prefix: '/api/v1/watchlist', tags: ['watchlist'] })
    .use(createAuthPlugin(verifier))
    .use(createRateLimitPlugin(verifier, rateLimits))
    .get('', async ({ principal }) => view(await service.list(principal.userId)), {
      auth: true,
      rateLimit: 'rest',
      response: { 200: WatchlistModel.list, ...errors(401, 429) },
      detail: { summary: 'Your watchlist, in the order tickers were added', description: `Errors: ${rateLimitedDoc}.` },
    })
    .delete('/:ticker', async ({ principal, params }) => view(await service.remove(principal.userId, params.ticker)), {
      params: WatchlistModel.tickerParams,
      auth: true,
      rateLimit: 'rest',
      response: { 200: WatchlistModel.list, ...errors(400, 401, 404, 429) },
      detail: {
        summary: 'Remove a ticker',
        description: `Errors: INVALID_TICKER (400), NOT_IN_WATCHLIST (404), ${rateLimitedDoc}. Ends any live subscription to it.`,
      },
    })
    .post(
      '',
      async ({ principal, body, set }) => {
        const { added, items } = await service.add(principal.userId, body.ticker)
        set.status = added ? 201 : 200
        return view(items)
      },
      {
        auth: true,
        rateLimit: 'rest',
        body: WatchlistModel.addBody,
        parse: 'json',
        response: { 200: WatchlistModel.list, 201: WatchlistModel.list, ...errors(400, 401, 404, 409, 415, 429) },
        detail: {
          summary: 'Add a ticker',
          description: `201 when added, 200 when already present. Errors: INVALID_TICKER (400), UNKNOWN_TICKER (404), WATCHLIST_FULL (409), ${rateLimitedDoc}.`,
        },
      },
    )
}
