/** Reference routes: the symbol search the terminal's add box autocompletes from. */
import { Elysia } from 'elysia'
import { parseTickerSearch } from '../../../core/ticker-search'
import type { TickerDirectory } from '../../../ports/upstream'
import type { TokenVerifier } from '../../../ports/token-verifier'
import { createAuthPlugin } from '../../auth-plugin'
import { errors } from '../../model'
import { createRateLimitPlugin, rateLimitedDoc, type RestRateLimits } from '../../rate-limit-plugin'
import { ReferenceModel } from './model'

export function createReferenceRoutes(directory: TickerDirectory, verifier: TokenVerifier, rateLimits: RestRateLimits) {
  return new Elysia({ prefix: '/api/v1/reference', tags: ['reference'] })
    .use(createAuthPlugin(verifier))
    .use(createRateLimitPlugin(verifier, rateLimits))
    .get(
      '/tickers',
      async ({ query }) => {
        const q = parseTickerSearch(query)
        return { items: await directory.searchTickers(q.text, q.limit) }
      },
      {
        auth: true,
        rateLimit: 'market',
        query: ReferenceModel.tickersQuery,
        response: { 200: ReferenceModel.tickers, ...errors(400, 401, 429, 502, 503) },
        detail: {
          summary: 'Find stocks and ETFs by ticker or company name',
          description: `From the provider's reference data (Massive /v3/reference/tickers) when configured, else the simulated universe. Errors: INVALID_SEARCH, INVALID_LIMIT (400); UPSTREAM_AUTH_FAILED, UPSTREAM_NOT_AUTHORIZED, UPSTREAM_BAD_RESPONSE, UPSTREAM_ERROR (502); UPSTREAM_UNAVAILABLE (503, with Retry-After when known); ${rateLimitedDoc}.`,
        },
      },
    )
}
