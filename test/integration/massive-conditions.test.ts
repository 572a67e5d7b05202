/** Sale conditions from the provider (`/v3/reference/conditions` on the local Massive server over HTTP): parsed, filtered to trade rows with update rules, paged, cached in the service, and the shipped table kept when the provider fails. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { createSystemClock } from '../../src/adapters/clock/system-clock.ts'
import { MassiveHttpClient } from '../../src/adapters/massive/http-client.ts'
import { MassiveConditions, parseConditionsPage } from '../../src/adapters/massive/massive-conditions.ts'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock.ts'
import { Condition, stockSaleConditions, type SaleCondition } from '../../src/core/trade-conditions.ts'
import { SaleConditionsService } from '../../src/services/sale-conditions.ts'
import type { UpstreamConditions } from '../../src/ports/upstream-conditions.ts'
import { createMassiveServer, type MassiveServer } from '../support/massive-server.ts'

let server: MassiveServer

const http = () =>
  new MassiveHttpClient({
    apiKey: server.apiKey,
    baseUrl: server.url,
    requestsPerMinute: null,
    timeoutMs: 2_000,
    maxRetries: 0,
    clock: createSystemClock(),
  })

beforeAll(() => {
  server = createMassiveServer({ now: () => Date.UTC(2026, 10, 30, 15) })
})
afterEach(() => server.reset())
afterAll(() => server.stop())

describe('MassiveConditions', () => {
  it('reads the stock trade conditions with their consolidated rules, leaving out quote conditions and indicators', async () => {
    const rows = await new MassiveConditions(http()).saleConditions()
    expect(rows.map((r) => r.id)).toEqual([...stockSaleConditions.keys()].sort((a, b) => a - b))
    for (const row of rows) expect(row).toEqual(stockSaleConditions.get(row.id)!)
    // 41 is also "Cash Only Settlement" on quotes, 62 an indicator without rules: neither is a trade rule.
    expect(rows.find((r) => r.id === 41)!.name).toBe('Trade Thru Exempt')
    expect(rows.some((r) => r.id === 62)).toBe(false)
  })

  it('follows next_url over pages of the provider default size (10 rows)', async () => {
    const client = http()
    const pages: SaleCondition[][] = []
    let url: URL | null = client.urlFor('/v3/reference/conditions?asset_class=stocks&data_type=trade')
    while (url !== null) {
      const page = parseConditionsPage((await client.getJson(url)).body)
      pages.push(page.conditions)
      url = page.nextUrl === null ? null : client.followUrl(page.nextUrl)
    }
    expect(pages.length).toBeGreaterThan(3)
    expect(pages.flat()).toEqual(await new MassiveConditions(http()).saleConditions())
  })

  it('reports a row with malformed rules as a bad response', () => {
    expect(() =>
      parseConditionsPage({ results: [{ id: 37, data_types: ['trade'], update_rules: { consolidated: { updates_high_low: 'no' } } }] }),
    ).toThrow('unexpected shape')
  })
})

describe('SaleConditionsService', () => {
  it('uses the provider rows once read (theirs win), and reads again a day later', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 10, 30, 15))
    let calls = 0
    const provider: UpstreamConditions = {
      async saleConditions() {
        calls++
        // A provider that (hypothetically) let odd lots set prices.
        return [{ id: Condition.OddLot, name: 'Odd Lot Trade', highLow: true, openClose: true, volume: true }]
      },
    }
    const service = new SaleConditionsService(provider, clock)
    expect(service.table).toBe(stockSaleConditions)
    await service.load()
    expect(service.table.get(Condition.OddLot)!.highLow).toBe(true)
    expect(service.table.get(Condition.AveragePrice)).toEqual(stockSaleConditions.get(Condition.AveragePrice)!)
    expect(calls).toBe(1)
    clock.advance(23 * 3_600_000)
    expect(calls).toBe(1)
    clock.advance(3_600_000)
    expect(calls).toBe(2)
    service.stop()
  })

  it('keeps the shipped table when the provider fails, and retries', async () => {
    server.switches.serverError = 'always'
    const clock = new SimulatedClock(Date.UTC(2026, 10, 30, 15))
    let calls = 0
    const conditions = new MassiveConditions(http())
    const service = new SaleConditionsService(
      { saleConditions: () => (calls++, conditions.saleConditions()) },
      clock,
    )
    await service.load()
    expect(service.table).toBe(stockSaleConditions)
    expect(service.loadedAt).toBeNull()
    server.switches.serverError = 0
    clock.advance(30_000)
    expect(calls).toBe(2)
    service.stop()
  })
})
