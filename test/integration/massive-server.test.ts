/** The local Massive server itself, over raw HTTP: aggregates semantics (snapping, limit, paging), snapshots, reference, auth, switches. */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { dayBars, minuteBars, snapshotAt } from '../../src/adapters/simulated/market.ts'
import { aggregateBars } from '../../src/core/bars.ts'
import { nyDayStart } from '../../src/core/market-time.ts'
import { createMassiveServer, type MassiveServer } from '../support/massive-server.ts'

/** Wednesday 2025-03-12 14:00 New York (EDT). */
const NOW = Date.UTC(2025, 2, 12, 18, 0)
const TODAY = nyDayStart(NOW)
const YESTERDAY = nyDayStart(TODAY - 1)
const HOUR = 3_600_000

let server: MassiveServer

type Body = Record<string, any>

async function get(pathOrUrl: string, auth: 'bearer' | 'none' | string = 'bearer'): Promise<{ status: number; body: Body; res: Response }> {
  const headers: Record<string, string> = { 'Accept-Encoding': 'gzip' }
  if (auth === 'bearer') headers.Authorization = `Bearer ${server.apiKey}`
  else if (auth !== 'none') headers.Authorization = `Bearer ${auth}`
  const res = await fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${server.url}${pathOrUrl}`, { headers })
  return { status: res.status, body: (await res.json()) as Body, res }
}

/** Follows next_url from a first aggregates page; returns every page body. */
async function allPages(path: string): Promise<Body[]> {
  const pages = [(await get(path)).body]
  while (pages.at(-1)!.next_url) pages.push((await get(pages.at(-1)!.next_url)).body)
  return pages
}

beforeAll(() => {
  server = createMassiveServer({ now: () => NOW })
})
afterEach(() => server.reset())
afterAll(() => server.stop())

describe('aggregates', () => {
  it('limit counts minute bars, drops the hour it cut, and next_url resumes at that hour with a cursor', async () => {
    const path = `/v2/aggs/ticker/AAPL/range/1/hour/${YESTERDAY}/${TODAY - 1}?adjusted=true&sort=asc&limit=100`
    const pages = await allPages(path)
    const expected = aggregateBars(minuteBars('AAPL', YESTERDAY, TODAY, NOW), 'hour', 1)
    const first = pages[0]!

    expect(pages.length).toBeGreaterThan(3)
    expect(first.queryCount).toBeLessThanOrEqual(100)
    expect(first.results).toEqual(expected.slice(0, first.resultsCount))
    const next = new URL(first.next_url)
    expect(next.pathname).toBe(`/v2/aggs/ticker/AAPL/range/1/hour/${expected[first.resultsCount].t}/${TODAY - 1}`)
    expect(Buffer.from(next.searchParams.get('cursor')!, 'base64url').toString()).toBe('limit=100&sort=asc&adjusted=true')
    expect([...next.searchParams.keys()]).toEqual(['cursor'])
    expect(pages.flatMap((p) => p.results ?? [])).toEqual(expected)
    expect(pages.reduce((n, p) => n + p.queryCount, 0)).toBe(minuteBars('AAPL', YESTERDAY, TODAY, NOW).length)
  })

  it('snaps `from` to its bucket start and `to` to its bucket end', async () => {
    const from = YESTERDAY + 10 * HOUR + 30 * 60_000
    const to = YESTERDAY + 12 * HOUR + 5 * 60_000
    const { body } = await get(`/v2/aggs/ticker/MSFT/range/1/hour/${from}/${to}`)
    const minutes = minuteBars('MSFT', YESTERDAY + 10 * HOUR, YESTERDAY + 13 * HOUR, NOW)

    expect(body.results.map((b: Body) => b.t)).toEqual([10, 11, 12].map((h) => YESTERDAY + h * HOUR))
    expect(body.results).toEqual(aggregateBars(minutes, 'hour', 1))
  })

  it('reads YYYY-MM-DD as New York dates, `to` inclusive of its whole day', async () => {
    const days = await get('/v2/aggs/ticker/AAPL/range/1/day/2025-03-03/2025-03-07')
    const mar3 = nyDayStart(Date.UTC(2025, 2, 3, 12))
    const mar8 = nyDayStart(Date.UTC(2025, 2, 8, 12))
    expect(days.body.results).toEqual(dayBars('AAPL', mar3, mar8, NOW))
    expect(days.body.results[0].t).toBe(Date.UTC(2025, 2, 3, 5))

    const minutes = await get('/v2/aggs/ticker/AAPL/range/1/minute/2025-03-11/2025-03-11?limit=50000')
    expect(minutes.body.results).toEqual(minuteBars('AAPL', YESTERDAY, TODAY, NOW))
  })

  it('builds week and month bars from day bars, and 5-minute bars from minute bars', async () => {
    const jan1 = nyDayStart(Date.UTC(2025, 0, 1, 12))
    const weeks = await get(`/v2/aggs/ticker/NVDA/range/1/week/2025-01-01/2025-03-11`)
    const months = await get(`/v2/aggs/ticker/NVDA/range/1/month/2025-01-01/2025-03-11`)
    const fives = await get(`/v2/aggs/ticker/NVDA/range/5/minute/${YESTERDAY}/${TODAY - 1}`)
    const weekStart = weeks.body.results[0].t
    // `to` snaps to the end of its week / month, which here takes in today's forming day bar.
    const end = NOW + 1

    expect(weekStart).toBe(nyDayStart(Date.UTC(2024, 11, 29, 12)))
    expect(weeks.body.results).toEqual(aggregateBars(dayBars('NVDA', weekStart, end, NOW), 'week', 1))
    expect(months.body.results).toEqual(aggregateBars(dayBars('NVDA', jan1, end, NOW), 'month', 1))
    expect(months.body.results).toHaveLength(3)
    expect(fives.body.results).toEqual(aggregateBars(minuteBars('NVDA', YESTERDAY, TODAY, NOW), 'minute', 5))
  })

  it('defaults limit to 5000 base bars, sorts desc on request, and reports an unknown ticker as 200 without results', async () => {
    const week = `/v2/aggs/ticker/AAPL/range/1/minute/${nyDayStart(TODAY - 8 * 24 * HOUR)}/${TODAY - 1}`
    expect(minuteBars('AAPL', nyDayStart(TODAY - 8 * 24 * HOUR), TODAY, NOW).length).toBeGreaterThan(5000)
    const page = (await get(week)).body
    expect(page.queryCount).toBe(5000)
    expect(typeof page.next_url).toBe('string')

    const asc = (await get(`/v2/aggs/ticker/AAPL/range/1/day/2025-03-03/2025-03-07?sort=asc`)).body.results
    const desc = (await get(`/v2/aggs/ticker/AAPL/range/1/day/2025-03-03/2025-03-07?sort=desc`)).body.results
    expect(desc).toEqual([...asc].reverse())

    const unknown = await get(`/v2/aggs/ticker/ZZZZ/range/1/day/2025-03-03/2025-03-07`)
    expect(unknown.status).toBe(200)
    expect(unknown.body).toMatchObject({ ticker: 'ZZZZ', status: 'OK', queryCount: 0, resultsCount: 0 })
    expect('results' in unknown.body).toBe(false)
    expect(typeof unknown.body.request_id).toBe('string')
  })

  it('rejects unparseable dates, `to` before `from` and unknown timespans with the ERROR envelope', async () => {
    const badDate = await get('/v2/aggs/ticker/AAPL/range/1/day/2025-13-40/2025-03-07')
    expect(badDate.status).toBe(400)
    expect(badDate.body).toMatchObject({ status: 'ERROR', error: expect.stringContaining("time parameter: 'from'") })
    const reversed = await get('/v2/aggs/ticker/AAPL/range/1/day/2025-03-07/2025-03-03')
    expect(reversed.body.error).toBe("The parameter 'to' cannot be a time that occurs before 'from'")
    expect((await get('/v2/aggs/ticker/AAPL/range/1/fortnight/2025-03-03/2025-03-07')).status).toBe(400)
  })
})

describe('snapshots and reference', () => {
  it('serves multi and single snapshots consistent with the simulated market, ns timestamps, unknowns omitted or 404', async () => {
    const multi = await get('/v2/snapshot/locale/us/markets/stocks/tickers?tickers=AAPL,ZZZZ,MSFT')
    expect(multi.body.tickers.map((t: Body) => t.ticker)).toEqual(['AAPL', 'MSFT'])
    expect(multi.body.count).toBe(2)

    const one = await get('/v2/snapshot/locale/us/markets/stocks/tickers/AAPL')
    const snap = snapshotAt('AAPL', NOW)!
    expect(one.body.status).toBe('OK')
    expect(one.body.ticker).toMatchObject({ ticker: 'AAPL', todaysChange: snap.change, todaysChangePerc: snap.changePct })
    expect(one.body.ticker.lastTrade.p).toBe(snap.last)
    expect(one.body.ticker.prevDay.c).toBe(snap.prevClose)
    expect(Math.round(one.body.ticker.updated / 1e6)).toBe(snap.updatedAt)
    expect(one.body.ticker.min.t % 60_000).toBe(0)

    const missing = await get('/v2/snapshot/locale/us/markets/stocks/tickers/ZZZZ')
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ status: 'NOT_FOUND', message: 'Ticker not found.' })
  })

  it('answers /v3/reference/tickers/{T} with results for a known ticker and 404 NOT_FOUND otherwise', async () => {
    const known = await get('/v3/reference/tickers/AAPL')
    expect(known.body).toMatchObject({ status: 'OK', results: { ticker: 'AAPL', name: 'Apple Inc.', market: 'stocks', active: true } })
    const unknown = await get('/v3/reference/tickers/ZZZZ')
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ status: 'NOT_FOUND', message: 'Ticker not found.' })
    expect(server.counts).toMatchObject({ total: 2, tickers: 2, aggs: 0, snapshots: 0 })
  })
})

describe('auth, switches and counts', () => {
  it('accepts the key as Bearer or ?apiKey=, and answers 401 in the ERROR envelope otherwise', async () => {
    expect((await get('/v3/reference/tickers/AAPL?apiKey=' + server.apiKey, 'none')).status).toBe(200)
    const missing = await get('/v3/reference/tickers/AAPL', 'none')
    expect(missing.status).toBe(401)
    expect(missing.body).toMatchObject({ status: 'ERROR', error: 'API Key was not provided' })
    const wrong = await get('/v3/reference/tickers/AAPL', 'wrong-key')
    expect(wrong.body.error).toBe('Unknown API Key')
  })

  it('gzips answers when asked, and tags them with X-Request-Id', async () => {
    const { res, body } = await get('/v3/reference/tickers/AAPL')
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('x-request-id')).toBe(body.request_id)
  })

  it('counts rateLimit and serverError down per request, with optional Retry-After', async () => {
    Object.assign(server.switches, { rateLimit: 2, rateLimitRetryAfterSec: 7, serverError: 1, serverErrorStatus: 500 })
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let i = 0; i < 4; i++) {
      const { status, res } = await get('/v3/reference/tickers/AAPL')
      statuses.push(status)
      retryAfter ??= res.headers.get('retry-after')
    }
    expect(statuses).toEqual([429, 429, 500, 200])
    expect(retryAfter).toBe('7')
  })

  it('applies badKey, notAuthorized, malformed and slowMs, and reset() restores a healthy server', async () => {
    server.switches.badKey = true
    expect((await get('/v3/reference/tickers/AAPL')).body.error).toBe('Unknown API Key')
    server.reset()
    server.switches.notAuthorized = true
    expect((await get('/v3/reference/tickers/AAPL')).body.status).toBe('NOT_AUTHORIZED')
    server.reset()
    server.switches.malformed = true
    const raw = await fetch(`${server.url}/v3/reference/tickers/AAPL`, { headers: { Authorization: `Bearer ${server.apiKey}` } })
    expect(raw.status).toBe(200)
    await expect(raw.json()).rejects.toThrow()
    server.reset()
    server.switches.slowMs = 150
    const started = performance.now()
    await get('/v3/reference/tickers/AAPL')
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    server.reset()
    expect(server.counts.total).toBe(0)
    expect((await get('/v3/reference/tickers/AAPL')).status).toBe(200)
  })
})
