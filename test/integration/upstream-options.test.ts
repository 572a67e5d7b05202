/** The UpstreamOptions contract on SimulatedOptions and on MassiveOptions against the local Massive server, plus Massive's paging and failures. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { MassiveHttpClient } from '../../src/adapters/massive/http-client'
import { MassiveOptions } from '../../src/adapters/massive/massive-options'
import { SimulatedOptions } from '../../src/adapters/simulated/simulated-options'
import { simulatedExpirations } from '../../src/adapters/simulated/options'
import { AppError } from '../../src/errors'
import type { Clock } from '../../src/ports/clock'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import { upstreamOptionsContract } from '../contracts/upstream-options.contract'
import { createMassiveServer, type MassiveServer } from '../support/massive-server'

/** Wednesday 2025-03-12 14:00 New York. */
const NOW = Date.UTC(2025, 2, 12, 18, 0)
const clock: Clock = { ...createSystemClock(), now: () => NOW }
let server: MassiveServer

function massiveOptions(tuning: { chainPageLimit?: number; contractsPageLimit?: number } = {}): MassiveOptions {
  const http = new MassiveHttpClient({
    apiKey: server.apiKey,
    baseUrl: server.url,
    requestsPerMinute: null,
    timeoutMs: 2_000,
    maxRetries: 1,
    clock,
    retryBaseMs: 5,
    retryMaxMs: 20,
  })
  return new MassiveOptions({ http, clock, ...tuning })
}

beforeAll(() => {
  server = createMassiveServer({ now: () => NOW })
})
afterEach(() => server.reset())
afterAll(() => server.stop())

upstreamOptionsContract('simulated', NOW, () => new SimulatedOptions(clock))
upstreamOptionsContract('massive', NOW, () => massiveOptions())

describe('MassiveOptions over HTTP', () => {
  it('should follow next_url with the cursor only, and the key in the header only', async () => {
    expect(await massiveOptions({ contractsPageLimit: 200 }).expirations('AAPL')).toEqual(
      simulatedExpirations('AAPL', NOW),
    )
    const pages = server.log.filter((r) => r.endpoint === 'options')
    expect(pages.length).toBeGreaterThanOrEqual(3)
    expect(pages[0]!.pathAndQuery).toBe(
      '/v3/reference/options/contracts?underlying_ticker=AAPL&expiration_date.gte=2025-03-12&limit=200',
    )
    for (const [i, p] of pages.slice(1).entries()) expect(server.url + p.pathAndQuery).toBe(pages[i]!.nextUrl!)
    expect(
      pages.every((p) => p.authorization === `Bearer ${server.apiKey}` && !p.pathAndQuery.includes(server.apiKey)),
    ).toBe(true)
  })

  it('should ask a chain with its filters in the provider form', async () => {
    await massiveOptions().chain('AAPL', '2025-03-21', { contractType: 'call', gte: 200, lte: 212.5 })
    expect(server.log.map((r) => r.pathAndQuery)).toEqual([
      '/v3/snapshot/options/AAPL?expiration_date=2025-03-21&limit=250&contract_type=call&strike_price.gte=200&strike_price.lte=212.5',
    ])
  })

  it('should map provider failures to UPSTREAM_* codes', async () => {
    const cases: [Partial<MassiveServer['switches']>, number, string][] = [
      [{ badKey: true }, 502, 'UPSTREAM_AUTH_FAILED'],
      [{ notAuthorized: true }, 502, 'UPSTREAM_NOT_AUTHORIZED'],
      [{ malformed: true }, 502, 'UPSTREAM_BAD_RESPONSE'],
      [{ malformed: 'shape' }, 502, 'UPSTREAM_BAD_RESPONSE'],
      [{ serverError: 'always' }, 503, 'UPSTREAM_UNAVAILABLE'],
      [{ rateLimit: 'always' }, 503, 'UPSTREAM_UNAVAILABLE'],
    ]
    for (const [switches, status, code] of cases) {
      for (const call of [
        (p: MassiveOptions) => p.expirations('AAPL'),
        (p: MassiveOptions) => p.chain('AAPL', '2025-03-21', { contractType: null, gte: null, lte: null }),
        (p: MassiveOptions) => p.contract('O:AAPL250321C00200000'),
      ]) {
        server.reset()
        Object.assign(server.switches, switches)
        const error = await call(massiveOptions()).then(
          () => null,
          (e) => e,
        )
        expect({ switches, status: error?.status, code: error?.code }).toEqual({ switches, status, code })
        expect(error).toBeInstanceOf(AppError)
      }
    }
  })
})
