/** MassiveRest's request budget over real HTTP, on a simulated clock: never more than 5 provider calls in any 60 s. */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { MassiveRest, type MassiveRestOptions } from '../../src/adapters/massive/massive-rest.ts'
import { minuteBars } from '../../src/adapters/simulated/market.ts'
import { nyDayStart } from '../../src/core/market-time.ts'
import { UpstreamUnavailableError } from '../../src/errors.ts'
import { createMassiveServer, type MassiveServer } from '../support/massive-server.ts'
import { ObservedClock } from '../support/observed-clock.ts'

/** Wednesday 2025-03-12 14:00 New York. */
const START = Date.UTC(2025, 2, 12, 18, 0)
const TODAY = nyDayStart(START)
const FROM = nyDayStart(TODAY - 2 * 86_400_000 - 1)
const MINUTE = 60_000

let clock: ObservedClock
let server: MassiveServer
/** The request timeout of the stalling test: every request in flight holds a timer of this length. */
const requestTimeoutMs = 2 * MINUTE

function freePlanClient(overrides: Partial<MassiveRestOptions> = {}): MassiveRest {
  return new MassiveRest({
    apiKey: server.apiKey,
    baseUrl: server.url,
    requestsPerMinute: 5,
    timeoutMs: 2_000,
    maxRetries: 10,
    clock,
    retryBaseMs: 0,
    aggsPageLimit: 150,
    ...overrides,
  })
}

/**
 * Resolves once the client waits on the clock for a budget slot (a pending wait shorter than the
 * request timeout, and no request in flight: each holds a timeout timer of 2 minutes), or `done()`.
 */
function stalledOnBudget(done: () => boolean): Promise<void> {
  return clock.until(() => {
    const pending = clock.pending()
    return done() || (pending.length > 0 && pending.every((ms) => ms < requestTimeoutMs))
  }, 'the client waiting for a budget slot')
}

/** The largest number of requests the server saw inside any window of `windowMs`. */
function busiestWindow(windowMs: number): number {
  const times = server.log.map((r) => r.at)
  let most = 0
  for (let i = 0; i < times.length; i++) most = Math.max(most, times.filter((t) => t >= times[i]! && t < times[i]! + windowMs).length)
  return most
}

beforeAll(() => {
  clock = new ObservedClock(START)
  // The server stamps each request with the simulated time, so windows are checked where calls land.
  server = createMassiveServer({ now: () => clock.now() })
})
afterEach(() => {
  server.reset()
  clock.advance(10 * MINUTE)
})
afterAll(() => server.stop())

describe('MassiveRest request budget (5 per minute)', () => {
  it('fails fast with 503 and retryAfterSec once 5 calls are spent, without calling the provider again', async () => {
    const rest = freePlanClient()
    const t0 = clock.now()
    const error = await rest.fetchBars('AAPL', 'minute', FROM, TODAY).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(UpstreamUnavailableError)
    expect((error as UpstreamUnavailableError).retryAfterSec).toBe(60)
    expect(server.counts.aggs).toBe(5)
    expect(rest.status()).toMatchObject({
      health: 'degraded',
      reason: { code: 'UPSTREAM_RATE_LIMITED' },
      budget: { limitPerMinute: 5, remaining: 0, resetsAt: t0 + MINUTE },
      requests: 5,
    })

    clock.advance(30_000)
    await expect(rest.lookupTicker('AAPL')).rejects.toBeInstanceOf(UpstreamUnavailableError)
    expect(server.counts.total).toBe(5)

    clock.advance(30_000)
    expect(await rest.lookupTicker('AAPL')).toBe(true)
    expect(server.counts.total).toBe(6)
    expect(rest.status().budget.remaining).toBe(4)
  })

  it('waits for a slot when the wait is short, then continues paging until done', async () => {
    const rest = freePlanClient({ timeoutMs: requestTimeoutMs })
    let result: unknown
    const pending = rest.fetchBars('AAPL', 'minute', FROM, TODAY).then((bars) => (result = bars))
    // The answer's arrival is no clock event: report it, so a wait that outlasts the last page ends.
    void pending.then(() => clock.changes.changed())

    let windows = 0
    while (result === undefined && windows < 20) {
      await stalledOnBudget(() => result !== undefined)
      const count = server.counts.total
      if (result === undefined) {
        // Stalled on the budget: exactly 5 more calls in each window, then nothing until time moves.
        expect(count).toBe(5 * (windows + 1))
        clock.advance(MINUTE)
        windows++
      }
    }
    await pending

    expect(windows).toBeGreaterThanOrEqual(1)
    expect(server.counts.aggs).toBeGreaterThan(5)
    expect(result).toEqual(minuteBars('AAPL', FROM, TODAY, START))
    expect(busiestWindow(MINUTE)).toBe(5)
  })

  it('counts retries against the budget: a provider stuck on 429 gets 5 calls, not 1 + maxRetries', async () => {
    server.switches.rateLimit = 'always'
    const rest = freePlanClient({ maxRetries: 10 })
    const error = await rest.lookupTicker('AAPL').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(UpstreamUnavailableError)
    expect(server.counts.tickers).toBe(5)
    expect(rest.status().reason?.code).toBe('UPSTREAM_RATE_LIMITED')
  })

  it("keeps the budget's later Retry-After when it ends retries after a provider 429 asking for less", async () => {
    Object.assign(server.switches, { rateLimit: 'always', rateLimitRetryAfterSec: 2 })
    const rest = freePlanClient({ timeoutMs: requestTimeoutMs, maxBudgetWaitMs: 2_000 })
    let error: unknown
    const pending = rest.lookupTicker('AAPL').catch((e: unknown) => (error = e))
    void pending.then(() => clock.changes.changed())
    // Each 429 asks for 2 s: sit each one out on the clock until the sixth try finds the 5 calls spent.
    for (let waits = 0; error === undefined && waits < 10; waits++) {
      await stalledOnBudget(() => error !== undefined)
      if (error === undefined) clock.advance(2_000)
    }
    await pending

    expect(error).toBeInstanceOf(UpstreamUnavailableError)
    expect(server.counts.tickers).toBe(5)
    // Five 429s, each sat out 2 s: the budget frees a call 60 s after the first, 50 s from now. Was 2 (the provider's): clients came back into a spent budget.
    expect((error as UpstreamUnavailableError).retryAfterSec).toBe(50)
    expect((error as UpstreamUnavailableError).details?.reason).toBe('UPSTREAM_RATE_LIMITED')
  })

  it('shares one budget between concurrent callers', async () => {
    const rest = freePlanClient()
    const tickers = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM']
    const outcomes = await Promise.allSettled(tickers.map((t) => rest.lookupTicker(t)))

    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBe(5)
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof UpstreamUnavailableError)).toBe(true)
    expect(server.counts.tickers).toBe(5)
    expect(busiestWindow(MINUTE)).toBe(5)
  })

  it('has no budget when requestsPerMinute is null', async () => {
    const rest = freePlanClient({ requestsPerMinute: null })
    const bars = await rest.fetchBars('AAPL', 'minute', FROM, TODAY)

    expect(bars).toEqual(minuteBars('AAPL', FROM, TODAY, START))
    expect(server.counts.aggs).toBeGreaterThan(5)
    expect(rest.status().budget).toEqual({ limitPerMinute: null, remaining: null, resetsAt: null })
  })
})
