/** The provider's trades over REST (`/v3/trades` on the local Massive server over HTTP): conditions and sequence numbers kept, cancelled/erroneous rows left out and a corrected trade counted once. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { createSystemClock } from '../../src/adapters/clock/system-clock.ts'
import { MassiveHttpClient } from '../../src/adapters/massive/http-client.ts'
import { MassiveTrades, parseTradesPage } from '../../src/adapters/massive/massive-trades.ts'
import { tradesBetween } from '../../src/adapters/simulated/market.ts'
import { createMassiveServer, type MassiveServer } from '../support/massive-server.ts'

// Monday 2026-11-30, 10:17:42 New York.
const NOW = Date.UTC(2026, 10, 30, 15, 17, 42)
let server: MassiveServer

beforeAll(() => {
  server = createMassiveServer({ now: () => NOW })
})
afterAll(() => server.stop())

const client = () =>
  new MassiveTrades(
    new MassiveHttpClient({ apiKey: server.apiKey, baseUrl: server.url, requestsPerMinute: null, timeoutMs: 2_000, maxRetries: 0, clock: createSystemClock() }),
  )

describe('MassiveTrades', () => {
  it("reads the forming minute's trades so far with their conditions and sequence numbers, as the market printed them", async () => {
    const minute = NOW - (NOW % 60_000)
    const trades = await client().tradesBetween('AAPL', minute, NOW)
    expect(trades.length).toBeGreaterThan(10)
    expect(trades).toEqual(tradesBetween('AAPL', minute, NOW))
    expect(trades.some((t) => t.c !== undefined)).toBe(true)
    // Nothing after now: the provider has not printed it yet.
    expect(await client().tradesBetween('AAPL', NOW, NOW + 60_000)).toEqual([])
  })

  it('applies the correction indicator: cancelled, erroneous and superseded rows left out, the correction record kept once', () => {
    const row = (q: number, price: number, correction?: number) => ({ price, size: 100, sip_timestamp: 1_790_000_000_000_000_000 + q, sequence_number: q, conditions: [37], correction })
    const { trades } = parseTradesPage('X', {
      results: [row(1, 10), row(2, 11, 1), row(3, 12, 8), row(4, 13, 7), row(5, 0, 10), row(6, 0, 11), row(7, 11.5, 12), row(8, 14, 0)],
    })
    expect(trades.map((t) => [t.q, t.p])).toEqual([
      [1, 10],
      [7, 11.5],
      [8, 14],
    ])
    expect(trades[0].c).toEqual([37])
  })

  it('stops asking once the plan turns out not to include trades (403): later answers are empty', async () => {
    const trades = client()
    server.switches.notAuthorized = true
    try {
      await expect(trades.tradesBetween('AAPL', NOW - 30_000, NOW)).rejects.toMatchObject({ code: 'UPSTREAM_NOT_AUTHORIZED' })
      expect(await trades.tradesBetween('AAPL', NOW - 30_000, NOW)).toEqual([])
    } finally {
      server.reset()
    }
  })

  it('reports a row without a price or timestamp as a bad response', () => {
    expect(() => parseTradesPage('X', { results: [{ size: 1 }] })).toThrow('unexpected shape')
  })
})
