/** Per-user REST rate limits: the `rateLimit: 'market' | 'rest'` route option counts the signed-in user's request, answers RateLimit / RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers-07) and refuses with 429 RATE_LIMITED over the budget. */
import { Elysia } from 'elysia'
import type { Principal, TokenVerifier } from '../ports/token-verifier'
import { rateLimitFields, resetSeconds } from '../core/rate-window'
import { RateLimitedError } from '../errors'
import type { Clock } from '../ports/clock'
import type { RateLimiter, RatePolicy } from '../ports/rate-limiter'
import { createAuthPlugin } from './auth-plugin'

/** `market`: bars, snapshots and options (upstream cost); `rest`: every other signed-in route. */
export type Budget = 'market' | 'rest'
export const budgets: readonly Budget[] = ['market', 'rest']

/** For route descriptions: what a limited route may answer besides its own codes. */
export const rateLimitedDoc =
  'RATE_LIMITED (429 with Retry-After, over the per-user budget; RateLimit and RateLimit-Policy headers on every answer)'

/** The per-minute budgets of config.rateLimits as policies; 0 turns a budget off (null). */
export function restRatePolicies(perMinute: Record<Budget, number>): Record<Budget, RatePolicy | null> {
  const policy = (name: Budget): RatePolicy | null =>
    perMinute[name] > 0 ? { name: `user-${name}`, limit: perMinute[name], windowMs: 60_000 } : null
  return { market: policy('market'), rest: policy('rest') }
}

/** Counts each user's requests per budget (one count per request, answered or refused) and how many were refused. */
export class RestRateLimits {
  private readonly refused: Record<Budget, number> = { market: 0, rest: 0 }

  constructor(
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    readonly policies: Record<Budget, RatePolicy | null>,
  ) {}

  /**
   * Counts one request of `userId` against `budget`: the RateLimit fields to answer with, and
   * the 429 to throw when it is over (null while within). A budget turned off answers no fields.
   */
  async take(budget: Budget, userId: number): Promise<{ headers: Record<string, string>; refusal: RateLimitedError | null }> {
    const policy = this.policies[budget]
    if (policy === null) return { headers: {}, refusal: null }
    const verdict = await this.limiter.take(String(userId), policy, this.clock.now())
    const fields = rateLimitFields(policy, verdict)
    const headers = { 'ratelimit-policy': fields.policy, ratelimit: fields.state }
    if (verdict.allowed) return { headers, refusal: null }
    this.refused[budget]++
    const refusal = new RateLimitedError(
      'RATE_LIMITED',
      `too many requests: the ${budget} budget is ${policy.limit} per ${policy.windowMs / 1000} s per user; retry after the Retry-After seconds`,
      resetSeconds(verdict),
      { budget, limit: policy.limit, window_seconds: policy.windowMs / 1000 },
    )
    return { headers, refusal }
  }

  /** Requests refused per budget since start (metrics). */
  refusals(): Record<Budget, number> {
    return { ...this.refused }
  }
}

/** Adds the `rateLimit: Budget` route option; it implies `auth: true` (the budget is the signed-in user's). */
export function createRateLimitPlugin(verifier: TokenVerifier, limits: RestRateLimits) {
  return new Elysia({ name: 'rate-limit-plugin' }).use(createAuthPlugin(verifier)).macro({
    rateLimit: (budget: Budget) => ({
      auth: true,
      async resolve(ctx) {
        // `auth: true` above resolves first (Elysia runs a macro's dependencies before it); its type does not flow here.
        const { principal, set } = ctx as typeof ctx & { principal: Principal }
        const { headers, refusal } = await limits.take(budget, principal.userId)
        Object.assign(set.headers, headers)
        if (refusal) throw refusal
        return {}
      },
    }),
  })
}
