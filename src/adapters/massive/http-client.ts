/** HTTP transport to Massive REST: Bearer auth, timeouts, retries with backoff, the request budget, error mapping and health. */

import { backoff } from '../../core/backoff.ts'
import { UpstreamError, UpstreamUnavailableError, type UpstreamErrorCode } from '../../errors.ts'
import type { Clock } from '../../ports/clock.ts'
import type { RequestPriority, UpstreamHealth, UpstreamStatus } from '../../ports/upstream.ts'
import { envelopeMessage, errorText, isRetryable, parseRetryAfter, safeParse } from './http-answer.ts'
import { interactiveReserve, RequestBudget, type BudgetSlot } from './request-budget.ts'

export interface MassiveHttpOptions {
  /** Massive API key; only ever sent in the Authorization header. */
  apiKey: string
  /** @example 'https://api.massive.com' (a path prefix is allowed, e.g. behind a proxy) */
  baseUrl: string
  /** Calls allowed per window (every HTTP call: retries and next_url pages too); null = unlimited. Free plan: 5. */
  requestsPerMinute: number | null
  /**
   * Share of the budget (percent, rounded up to whole calls, at least 1 when the budget is > 1)
   * only interactive calls may spend; options and background calls are refused at once (503 with
   * Retry-After) when only that much is left. @default 0
   */
  reservedInteractivePercent?: number
  /** Per HTTP attempt, including reading the body; also the longest wait for a budget slot by default. */
  timeoutMs: number
  /** Extra attempts after the first, on network errors, timeouts, 429 and 5xx. */
  maxRetries: number
  clock: Clock
  fetch?: typeof fetch
  /** Length of the budget window. @default 60_000 */
  budgetWindowMs?: number
  /** Longest wait of an interactive call for a free budget slot before failing with 503 (others never wait). @default timeoutMs */
  maxBudgetWaitMs?: number
  /** First retry delay; doubles per attempt, with jitter. @default 250 */
  retryBaseMs?: number
  /** Cap of one retry delay; a longer Retry-After ends the retries. @default 8_000 */
  retryMaxMs?: number
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number
}

/** A parsed JSON answer the caller must interpret (2xx, or 404 when allowed). */
export interface MassiveResponse {
  status: number
  body: unknown
}

type Reason = { code: string; message: string }
type Attempt =
  | { kind: 'response'; status: number; retryAfterMs: number | null; text: string }
  | { kind: 'timeout' }
  | { kind: 'network'; error: unknown }

export class MassiveHttpClient {
  private readonly budget: RequestBudget
  private readonly fetchFn: typeof fetch
  private readonly base: URL
  private requestCount = 0
  /** Finished calls by outcome: the HTTP status, `timeout` or `network`. */
  private readonly outcomes = new Map<string, number>()
  private health: UpstreamHealth = 'ok'
  private reason: Reason | undefined

  constructor(private readonly opts: MassiveHttpOptions) {
    if (!opts.apiKey) throw new RangeError('MassiveHttpClient: apiKey is required')
    if (!(opts.timeoutMs > 0)) throw new RangeError(`MassiveHttpClient: timeoutMs must be > 0, got ${opts.timeoutMs}`)
    if (!Number.isInteger(opts.maxRetries) || opts.maxRetries < 0) {
      throw new RangeError(`MassiveHttpClient: maxRetries must be an integer >= 0, got ${opts.maxRetries}`)
    }
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`)
    this.budget = new RequestBudget({
      limit: opts.requestsPerMinute,
      windowMs: opts.budgetWindowMs,
      reservedInteractive: interactiveReserve(opts.requestsPerMinute, opts.reservedInteractivePercent ?? 0),
      clock: opts.clock,
    })
    this.fetchFn = opts.fetch ?? fetch
  }

  /** The clock the transport runs on (adapters sharing it keep their caches on the same time). */
  get clock(): Clock {
    return this.opts.clock
  }

  /** Absolute URL of a provider path (with query), under baseUrl. */
  urlFor(pathAndQuery: string): URL {
    return new URL(pathAndQuery.replace(/^\//, ''), this.base)
  }

  /**
   * The URL to call for a provider-supplied next_url: verbatim when it points at our base origin,
   * else its path and query re-based onto baseUrl, so the key never travels to another host.
   */
  followUrl(nextUrl: string): URL {
    const next = new URL(nextUrl, this.base)
    if (next.origin === this.base.origin) return next
    return this.urlFor(next.pathname + next.search)
  }

  /**
   * GETs and parses JSON; throws UpstreamError / UpstreamUnavailableError for everything but 2xx
   * (and 404 if allowed). Every attempt spends the budget as `priority` (default interactive).
   */
  async getJson(
    url: URL,
    opts: { allowNotFound?: boolean; priority?: RequestPriority } = {},
  ): Promise<MassiveResponse> {
    let last: Attempt | undefined
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      let slot: BudgetSlot
      try {
        slot = await this.acquireSlot(opts.priority ?? 'interactive')
      } catch (refused) {
        // The budget ended the retries: the provider's failure is the cause (an unreachable host is not a spent budget).
        if (last === undefined || !(refused instanceof UpstreamUnavailableError)) throw refused
        throw this.unavailable(last, url, attempt, refused.retryAfterSec)
      }
      last = await this.send(url, slot)
      if (last.kind === 'response') {
        const { status, text } = last
        if (status >= 200 && status < 300) return this.succeed({ status, body: this.parse(text, url) })
        if (status === 404 && opts.allowNotFound) return this.succeed({ status, body: safeParse(text) })
        if (!isRetryable(status)) throw this.clientError(status, text, url)
      }
      if (attempt === this.opts.maxRetries) break
      const retryAfterMs = last.kind === 'response' ? last.retryAfterMs : null
      if (retryAfterMs !== null && retryAfterMs > Math.max(this.retryMaxMs(), this.opts.timeoutMs)) break
      await this.sleep(retryAfterMs ?? this.backoffMs(attempt))
    }
    throw this.unavailable(last!, url)
  }

  status(): Omit<UpstreamStatus, 'name'> {
    return {
      health: this.health,
      reason: this.reason,
      budget: this.budget.state(),
      requests: this.requestCount,
      outcomes: Object.fromEntries(this.outcomes),
    }
  }

  /** Records a body the caller found unusable (wrong shape), so status() reports it. */
  noteBadResponse(error: UpstreamError): void {
    this.fail('degraded', { code: error.code, message: error.message })
  }

  /** Runs a wire parser; a shape error is recorded in status() before it propagates. */
  checked<T>(parse: () => T): T {
    try {
      return parse()
    } catch (error) {
      if (error instanceof UpstreamError) this.noteBadResponse(error)
      throw error
    }
  }

  private async send(url: URL, slot: BudgetSlot): Promise<Attempt> {
    const attempt = await this.attempt(url, slot)
    const outcome = attempt.kind === 'response' ? String(attempt.status) : attempt.kind
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1)
    return attempt
  }

  private async attempt(url: URL, slot: BudgetSlot): Promise<Attempt> {
    const controller = new AbortController()
    const timer = this.opts.clock.setTimeout(() => controller.abort(), this.opts.timeoutMs)
    this.requestCount++
    try {
      const res = await this.fetchFn(url, {
        headers: {
          Authorization: `Bearer ${this.opts.apiKey}`,
          'Accept-Encoding': 'gzip',
          Accept: 'application/json',
          'User-Agent': 'market-watch/0.1',
        },
        signal: controller.signal,
      })
      const text = await res.text()
      return { kind: 'response', status: res.status, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.opts.clock.now()), text }
    } catch (error) {
      return controller.signal.aborted ? { kind: 'timeout' } : { kind: 'network', error }
    } finally {
      this.opts.clock.clearTimeout(timer)
      slot.release()
    }
  }

  /** A budget slot for `priority`: interactive calls wait for one up to maxBudgetWaitMs; the others never wait. */
  private async acquireSlot(priority: RequestPriority): Promise<BudgetSlot> {
    const maxWait = priority === 'interactive' ? (this.opts.maxBudgetWaitMs ?? this.opts.timeoutMs) : 0
    for (;;) {
      const got = this.budget.tryAcquire(priority)
      if ('release' in got) return got
      // All slots in flight: the earliest can free up only a full window after its call ends.
      const waitMs = Number.isFinite(got.waitMs) ? got.waitMs : (this.opts.budgetWindowMs ?? 60_000)
      if (waitMs > maxWait) throw this.overBudget(priority, waitMs)
      await this.sleep(waitMs)
    }
  }

  /** 503 for a call the budget refuses; the whole budget spent (not only down to the reserve) also degrades health. */
  private overBudget(priority: RequestPriority, waitMs: number): UpstreamUnavailableError {
    const { remaining, reservedInteractive } = this.budget.state()
    const exhausted = remaining === 0
    const message = exhausted
      ? `request budget of ${this.opts.requestsPerMinute} per window exhausted`
      : `request budget left (${remaining} of ${this.opts.requestsPerMinute} per window) is kept for interactive requests; ${priority} requests wait`
    if (exhausted) this.fail('degraded', { code: 'UPSTREAM_RATE_LIMITED', message })
    return new UpstreamUnavailableError(`Massive ${message}; retry in ${Math.ceil(waitMs / 1000)} s`, {
      retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)),
      details: { reason: 'UPSTREAM_RATE_LIMITED', priority, reserved_interactive: reservedInteractive ?? 0 },
    })
  }

  private parse(text: string, url: URL): unknown {
    try {
      return JSON.parse(text)
    } catch (cause) {
      this.fail('degraded', { code: 'UPSTREAM_BAD_RESPONSE', message: 'response body is not JSON' })
      throw new UpstreamError('UPSTREAM_BAD_RESPONSE', `Massive answered ${url.pathname} with a body that is not JSON`, { cause })
    }
  }

  /** Non-retryable HTTP errors: 401 auth, 403 plan, anything else the provider rejected. */
  private clientError(status: number, text: string, url: URL): UpstreamError {
    const providerText = envelopeMessage(text)
    const [code, health]: [UpstreamErrorCode, UpstreamHealth] =
      status === 401 ? ['UPSTREAM_AUTH_FAILED', 'down'] : status === 403 ? ['UPSTREAM_NOT_AUTHORIZED', 'degraded'] : ['UPSTREAM_ERROR', 'degraded']
    const message = `Massive ${status} on ${url.pathname}${providerText ? `: ${providerText}` : ''}`
    this.fail(health, { code, message })
    return new UpstreamError(code, message, { details: { httpStatus: status } })
  }

  /** Retries exhausted, stopped by the budget (which says when a call may go again), or a Retry-After too long to wait for. */
  private unavailable(
    last: Attempt,
    url: URL,
    attempts = this.opts.maxRetries + 1,
    budgetRetryAfterSec?: number,
  ): UpstreamUnavailableError {
    let reason: Reason
    let retryAfterSec = budgetRetryAfterSec
    if (last.kind === 'timeout') reason = { code: 'UPSTREAM_TIMEOUT', message: `no answer within ${this.opts.timeoutMs} ms` }
    else if (last.kind === 'network') reason = { code: 'UPSTREAM_UNREACHABLE', message: `network error: ${errorText(last.error)}` }
    else if (last.status === 429) {
      reason = { code: 'UPSTREAM_RATE_LIMITED', message: 'the provider is rate limiting our requests (429)' }
      // The later of the provider's wait and the budget's: a shorter Retry-After would send clients back into a spent budget.
      if (last.retryAfterMs !== null) retryAfterSec = Math.max(retryAfterSec ?? 0, 1, Math.ceil(last.retryAfterMs / 1000))
    } else reason = { code: 'UPSTREAM_SERVER_ERROR', message: `the provider answered ${last.status}` }
    this.fail(reason.code === 'UPSTREAM_RATE_LIMITED' ? 'degraded' : 'down', reason)
    return new UpstreamUnavailableError(`Massive unavailable on ${url.pathname} after ${attempts} attempt(s): ${reason.message}`, {
      retryAfterSec,
      details: { reason: reason.code },
      cause: last.kind === 'network' ? last.error : undefined,
    })
  }

  private succeed(res: MassiveResponse): MassiveResponse {
    this.health = 'ok'
    this.reason = undefined
    return res
  }

  private fail(health: UpstreamHealth, reason: Reason): void {
    this.health = health
    this.reason = reason
  }

  private backoffMs(attempt: number): number {
    const policy = { baseMs: this.opts.retryBaseMs ?? 250, maxMs: this.retryMaxMs(), minMs: 0 }
    return backoff(attempt, this.opts.random ?? Math.random, { ...policy, jitter: 'equal' })
  }

  private retryMaxMs(): number {
    return this.opts.retryMaxMs ?? 8_000
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve()
    return new Promise((resolve) => this.opts.clock.setTimeout(resolve, ms))
  }
}
