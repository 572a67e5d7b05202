/** Options routes: listed expirations, a chain for one expiration, and one contract's details and snapshot. */
import { Elysia } from 'elysia'
import type { TokenVerifier } from '../../../ports/token-verifier'
import { createAuthPlugin } from '../../auth-plugin'
import { errors } from '../../model'
import { createRateLimitPlugin, rateLimitedDoc, type RestRateLimits } from '../../rate-limit-plugin'
import { OptionsModel } from './model'
import type { OptionsService } from '../../../services/options-service'

const upstreamCodes = `UPSTREAM_AUTH_FAILED, UPSTREAM_NOT_AUTHORIZED, UPSTREAM_BAD_RESPONSE, UPSTREAM_ERROR (502); UPSTREAM_UNAVAILABLE (503, with Retry-After when known; when an earlier answer is kept, it is served instead with stale: true and as_of); ${rateLimitedDoc}`

export function createOptionsRoutes(service: OptionsService, verifier: TokenVerifier, rateLimits: RestRateLimits) {
  return new Elysia({ prefix: '/api/v1/options', tags: ['options'] })
    .use(createAuthPlugin(verifier))
    .use(createRateLimitPlugin(verifier, rateLimits))
    .get('/expirations', ({ query }) => service.expirations(query.underlying), {
      auth: true,
      rateLimit: 'market',
      query: OptionsModel.expirationsQuery,
      response: { 200: OptionsModel.expirations, ...errors(400, 401, 404, 429, 502, 503) },
      detail: {
        summary: 'Listed expiration dates of an underlying',
        description: `Ascending, from today (New York) on; cached for minutes. Errors: INVALID_UNDERLYING (400); UNKNOWN_UNDERLYING (404); ${upstreamCodes}.`,
      },
    })
    .get('/chain', ({ query }) => service.chain(query), {
      auth: true,
      rateLimit: 'market',
      query: OptionsModel.chainQuery,
      response: { 200: OptionsModel.chain, ...errors(400, 401, 404, 429, 502, 503) },
      detail: {
        summary: 'Option chain of one expiration',
        description: `Calls and puts side by side per strike, ascending; cached for seconds, identical requests in flight share one upstream call. Errors: INVALID_UNDERLYING, INVALID_EXPIRATION, INVALID_CONTRACT_TYPE, INVALID_STRIKE_RANGE (400); UNKNOWN_UNDERLYING, EXPIRATION_NOT_FOUND (404); ${upstreamCodes}.`,
      },
    })
    .get('/contracts/:option_ticker', ({ params }) => service.contract(params.option_ticker), {
      auth: true,
      rateLimit: 'market',
      params: OptionsModel.contractParams,
      response: { 200: OptionsModel.contract, ...errors(400, 401, 404, 429, 502, 503) },
      detail: {
        summary: 'One option contract: details and snapshot',
        description: `Quote, last trade, session stats, greeks, implied volatility, open interest, break-even and the underlying price. Errors: INVALID_OPTION_TICKER (400, the reason in the message); UNKNOWN_CONTRACT (404, also for expired contracts); ${upstreamCodes}.`,
      },
    })
}
