/** MassiveRest over real HTTP against the local Massive server: the UpstreamRest contract, paging, mapping, errors, retries, timeouts, key handling. */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { MassiveRest, type MassiveRestOptions } from '../../src/adapters/massive/massive-rest.ts'
import { dayBars, minuteBars, snapshotAt } from '../../src/adapters/simulated/market.ts'
import { nyDayStart } from '../../src/core/market-time.ts'
import { AppError, UpstreamError, UpstreamUnavailableError } from '../../src/errors.ts'
import { createSystemClock } from '../../src/adapters/clock/system-clock.ts'
import { upstreamRestContract } from '../contracts/upstream-rest.contract.ts'
import { createMassiveServer, type MassiveServer } from '../support/massive-server.ts'

/** Wednesday 2025-03-12 14:00 New York (EDT): the market is open. */
const NOW = Date.UTC(2025, 2, 12, 18, 0)
const TODAY = nyDayStart(NOW)
const DAY = 86_400_000
const TWO_DAYS_AGO = nyDayStart(TODAY - DAY - 1)

let server: MassiveServer

function restClient(overrides: Partial<MassiveRestOptions> = {}): MassiveRest {
  return new MassiveRest({
    apiKey: server.apiKey,
    baseUrl: server.url,
    requestsPerMinute: null,
    timeoutMs: 2_000,
    maxRetries: 2,
    clock: createSystemClock(),
    retryBaseMs: 5,
    retryMaxMs: 20,
    ...overrides,
  })
}

async function rejectionOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw new Error(`expected an AppError, got ${String(error)}`)
  }
  throw new Error('expected the call to fail, but it succeeded')
}

beforeAll(() => {
  server = createMassiveServer({ now: () => NOW })
})
afterEach(() => server.reset())
afterAll(() => server.stop())

upstreamRestContract('MassiveRest', NOW, () => restClient())

describe('MassiveRest bars', () => {
  it('returns the same minute bars from many 200-bar pages as from one big page, matching the simulated market', async () => {
    const paged = await restClient({ aggsPageLimit: 200 }).fetchBars('AAPL', 'minute', TWO_DAYS_AGO, TODAY)
    const pages = server.counts.aggs
    server.reset()
    const single = await restClient().fetchBars('AAPL', 'minute', TWO_DAYS_AGO, TODAY)

    expect(pages).toBeGreaterThanOrEqual(4)
    expect(server.counts.aggs).toBe(1)
    expect(single.length).toBeGreaterThan(400)
    expect(paged).toEqual(single)
    expect(single).toEqual(minuteBars('AAPL', TWO_DAYS_AGO, TODAY, NOW))
  })

  it('keeps from <= t < to, ascending and unique, when the range is not minute aligned', async () => {
    const from = TODAY - DAY + 10 * 3_600_000 + 30_000
    const to = from + 90 * 60_000
    const bars = await restClient().fetchBars('MSFT', 'minute', from, to)

    expect(bars.length).toBeGreaterThan(0)
    expect(bars[0]!.t).toBeGreaterThanOrEqual(from)
    expect(bars.at(-1)!.t).toBeLessThan(to)
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.t).toBeGreaterThan(bars[i - 1]!.t)
    expect(bars).toEqual(minuteBars('MSFT', from, to, NOW).filter((b) => b.t >= from))
  })

  it('returns day bars at New York midnight, excluding the day that starts at `to`', async () => {
    const from = nyDayStart(TODAY - 20 * DAY)
    const bars = await restClient().fetchBars('AAPL', 'day', from, TODAY)

    expect(bars.length).toBeGreaterThanOrEqual(10)
    expect(bars.every((b) => nyDayStart(b.t) === b.t && b.t < TODAY)).toBe(true)
    expect(bars).toEqual(dayBars('AAPL', from, TODAY, NOW))
  })

  it('answers an unknown ticker with no bars, and an empty range without calling the provider', async () => {
    expect(await restClient().fetchBars('ZZZZ', 'minute', TWO_DAYS_AGO, TODAY)).toEqual([])
    expect(server.counts.aggs).toBe(1)
    expect(await restClient().fetchBars('AAPL', 'minute', TODAY, TODAY)).toEqual([])
    expect(server.counts.aggs).toBe(1)
  })
})

describe('MassiveRest snapshots and ticker lookup', () => {
  it('maps lastTrade, prevDay, todaysChange(Perc), updated (ns) and day to the simulated snapshot; unknown tickers are absent', async () => {
    const snaps = await restClient().fetchSnapshots(['AAPL', 'MSFT', 'ZZZZ'])
    const expected = snapshotAt('AAPL', NOW)!
    const aapl = snaps.get('AAPL')!

    expect([...snaps.keys()].sort()).toEqual(['AAPL', 'MSFT'])
    expect(aapl.last).toBe(expected.last)
    expect(aapl.prevClose).toBe(expected.prevClose)
    expect(aapl.change).toBeCloseTo(expected.change, 9)
    expect(aapl.changePct).toBeCloseTo(expected.changePct, 9)
    expect(aapl.updatedAt).toBe(expected.updatedAt)
    expect(aapl.day).toEqual(expected.day!)
  })

  it('reads `updated` in milliseconds too', async () => {
    server.switches.snapshotTimeUnit = 'ms'
    const snaps = await restClient().fetchSnapshots(['AAPL'])
    expect(snaps.get('AAPL')!.updatedAt).toBe(snapshotAt('AAPL', NOW)!.updatedAt)
  })

  it('splits a long ticker list into batches and never sends an empty list', async () => {
    const tickers = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA']
    const snaps = await restClient({ snapshotBatchSize: 3 }).fetchSnapshots(tickers)

    expect(snaps.size).toBe(7)
    expect(server.counts.snapshots).toBe(3)
    const sizes = server.log.map((r) => new URL(r.pathAndQuery, server.url).searchParams.get('tickers')!.split(',').length)
    expect(sizes).toEqual([3, 3, 1])
    expect((await restClient().fetchSnapshots([])).size).toBe(0)
    expect(server.counts.snapshots).toBe(3)
  })

  it('tells known from unknown tickers and caches both answers', async () => {
    const rest = restClient()
    expect(await rest.lookupTicker('AAPL')).toBe(true)
    expect(await rest.lookupTicker('ZZZZ')).toBe(false)
    expect(await rest.lookupTicker('AAPL')).toBe(true)
    expect(await rest.lookupTicker('ZZZZ')).toBe(false)
    expect(server.counts.tickers).toBe(2)
  })
})

describe('MassiveRest key handling', () => {
  it('sends the key only as a Bearer header: no URL it requests or receives as next_url contains it', async () => {
    await restClient({ aggsPageLimit: 300 }).fetchBars('AAPL', 'minute', TWO_DAYS_AGO, TODAY)
    await restClient().fetchSnapshots(['AAPL'])
    await restClient().lookupTicker('AAPL')

    expect(server.log.some((r) => r.pathAndQuery.includes('cursor='))).toBe(true)
    expect(server.log.filter((r) => r.nextUrl).length).toBeGreaterThanOrEqual(2)
    for (const request of server.log) {
      expect(request.authorization).toBe(`Bearer ${server.apiKey}`)
      expect(request.acceptEncoding).toContain('gzip')
      expect(request.pathAndQuery).not.toContain(server.apiKey)
      expect(request.pathAndQuery.toLowerCase()).not.toContain('apikey')
      expect(request.nextUrl ?? '').not.toContain(server.apiKey)
    }
  })
})

describe('MassiveRest errors', () => {
  const call = (rest: MassiveRest) => rest.fetchBars('AAPL', 'minute', TODAY - 3_600_000, TODAY)

  it('maps 401 (bad key switch, or a wrong key) to UPSTREAM_AUTH_FAILED without retrying, and reports health down', async () => {
    server.switches.badKey = true
    const rest = restClient()
    const error = await rejectionOf(call(rest))
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error.code).toBe('UPSTREAM_AUTH_FAILED')
    expect(error.status).toBe(502)
    expect(server.counts.total).toBe(1)
    expect(rest.status().health).toBe('down')
    expect(rest.status().reason?.code).toBe('UPSTREAM_AUTH_FAILED')

    server.reset()
    const wrongKey = await rejectionOf(restClient({ apiKey: 'not-the-key' }).lookupTicker('AAPL'))
    expect(wrongKey.code).toBe('UPSTREAM_AUTH_FAILED')
  })

  it('maps 403 NOT_AUTHORIZED to UPSTREAM_NOT_AUTHORIZED', async () => {
    server.switches.notAuthorized = true
    const rest = restClient()
    const error = await rejectionOf(rest.fetchSnapshots(['AAPL']))
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error.code).toBe('UPSTREAM_NOT_AUTHORIZED')
    expect(error.message).toContain('not entitled')
    expect(server.counts.total).toBe(1)
    expect(rest.status().reason?.code).toBe('UPSTREAM_NOT_AUTHORIZED')
  })

  it.each([[true], ['shape' as const]])('maps malformed bodies (%p) to UPSTREAM_BAD_RESPONSE on every endpoint', async (malformed) => {
    server.switches.malformed = malformed
    const rest = restClient()
    for (const attempt of [() => call(rest), () => rest.fetchSnapshots(['AAPL']), () => rest.lookupTicker('AAPL')]) {
      const error = await rejectionOf(attempt())
      expect(error).toBeInstanceOf(UpstreamError)
      expect(error.code).toBe('UPSTREAM_BAD_RESPONSE')
    }
    expect(rest.status().reason?.code).toBe('UPSTREAM_BAD_RESPONSE')
  })

  it('gives up on a provider that keeps answering 429: 503 with UPSTREAM_RATE_LIMITED after 1 + maxRetries calls', async () => {
    server.switches.rateLimit = 'always'
    const rest = restClient({ maxRetries: 2 })
    const error = await rejectionOf(call(rest))
    expect(error).toBeInstanceOf(UpstreamUnavailableError)
    expect(error.status).toBe(503)
    expect(error.details?.reason).toBe('UPSTREAM_RATE_LIMITED')
    expect(server.counts.aggs).toBe(3)
    expect(rest.status()).toMatchObject({ health: 'degraded', reason: { code: 'UPSTREAM_RATE_LIMITED' }, requests: 3 })
  })

  it('gives up on a provider that keeps failing with 5xx: 503 and health down', async () => {
    server.switches.serverError = 'always'
    const rest = restClient({ maxRetries: 3 })
    const error = await rejectionOf(call(rest))
    expect(error).toBeInstanceOf(UpstreamUnavailableError)
    expect(error.details?.reason).toBe('UPSTREAM_SERVER_ERROR')
    expect(server.counts.aggs).toBe(4)
    expect(rest.status().health).toBe('down')
  })

  it('reports an unreachable provider as 503 UPSTREAM_UNREACHABLE after retrying', async () => {
    const gone = createMassiveServer({ now: () => NOW })
    const baseUrl = gone.url
    await gone.stop()
    const rest = restClient({ baseUrl, maxRetries: 2 })
    const error = await rejectionOf(rest.lookupTicker('AAPL'))
    expect(error).toBeInstanceOf(UpstreamUnavailableError)
    expect(error.details?.reason).toBe('UPSTREAM_UNREACHABLE')
    expect(rest.status()).toMatchObject({ health: 'down', requests: 3 })
  })

  it('names an unreachable provider, not the budget, when the request budget stops the retries', async () => {
    const gone = createMassiveServer({ now: () => NOW })
    const baseUrl = gone.url
    await gone.stop()
    // Two calls a minute, five tries: both calls fail to connect, and the third try finds no budget left.
    const rest = restClient({ baseUrl, maxRetries: 4, requestsPerMinute: 2 })
    const error = await rejectionOf(rest.lookupTicker('AAPL'))
    expect(error).toBeInstanceOf(UpstreamUnavailableError)
    // Was UPSTREAM_RATE_LIMITED 'request budget of 2 per window exhausted': an operator with a wrong URL was told to wait.
    expect(error.details?.reason).toBe('UPSTREAM_UNREACHABLE')
    expect(error.message).toContain('after 2 attempt(s): network error')
    expect((error as UpstreamUnavailableError).retryAfterSec).toBeGreaterThan(0)
    expect(rest.status()).toMatchObject({ health: 'down', reason: { code: 'UPSTREAM_UNREACHABLE' }, requests: 2 })
  })

  it('times out slow answers instead of waiting for them, retrying once', async () => {
    server.switches.slowMs = 5_000
    const rest = restClient({ timeoutMs: 80, maxRetries: 1 })
    const started = performance.now()
    const error = await rejectionOf(call(rest))
    const elapsed = performance.now() - started
    expect(error).toBeInstanceOf(UpstreamUnavailableError)
    expect(error.details?.reason).toBe('UPSTREAM_TIMEOUT')
    // Two timeouts of 80 ms; waiting for the answers would take 10 s. A margin for a loaded machine.
    expect(elapsed).toBeLessThan(2_000)
    expect(server.counts.aggs).toBe(2)
    expect(rest.status().health).toBe('down')
  })
})

describe('MassiveRest retries', () => {
  it.each([
    ['5xx', { serverError: 2 }],
    ['429', { rateLimit: 2 }],
  ] as const)('recovers after two transient %s answers and reports health ok again', async (_, switches) => {
    const rest = restClient({ maxRetries: 3 })
    server.switches.serverError = 'always'
    await rejectionOf(rest.lookupTicker('AAPL'))
    server.reset()
    Object.assign(server.switches, switches)

    const bars = await rest.fetchBars('AAPL', 'minute', TODAY - DAY, TODAY)
    expect(bars).toEqual(minuteBars('AAPL', TODAY - DAY, TODAY, NOW))
    expect(server.counts.aggs).toBe(3)
    expect(rest.status().health).toBe('ok')
    expect(rest.status().reason).toBeUndefined()
  })

  it('waits the Retry-After the provider asks for before retrying', async () => {
    Object.assign(server.switches, { rateLimit: 1, rateLimitRetryAfterSec: 1 })
    const started = performance.now()
    expect(await restClient().lookupTicker('AAPL')).toBe(true)
    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
    expect(server.counts.tickers).toBe(2)
  })

  it('does not sit out a Retry-After longer than it may wait: fails at once with retryAfterSec', async () => {
    Object.assign(server.switches, { rateLimit: 1, rateLimitRetryAfterSec: 120 })
    const started = performance.now()
    const error = await rejectionOf(restClient().lookupTicker('AAPL'))
    expect(performance.now() - started).toBeLessThan(2_000) // at once, not after the 120 s asked for
    expect(error).toBeInstanceOf(UpstreamUnavailableError)
    expect(error.retryAfterSec).toBe(120)
    expect(server.counts.tickers).toBe(1)
  })
})
