/** The Massive splits adapter against the local Massive server over sockets: `/stocks/v1/splits` by execution date, and the older `/v3/reference/splits` shape where the new path is not served. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { MassiveHttpClient } from '../../src/adapters/massive/http-client'
import { MassiveSplits } from '../../src/adapters/massive/massive-splits'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import { createMassiveServer, type MassiveServer } from '../support/massive-server'

const avgo = { ticker: 'AVGO', executionDate: '2026-11-16', splitFrom: 1, splitTo: 4 }

describe('Massive splits adapter', () => {
  let massive: MassiveServer
  const adapter = () =>
    new MassiveSplits(
      new MassiveHttpClient({
        apiKey: massive.apiKey,
        baseUrl: massive.url,
        requestsPerMinute: null,
        timeoutMs: 5_000,
        maxRetries: 0,
        clock: createSystemClock(),
      }),
    )
  beforeAll(() => {
    massive = createMassiveServer({ now: () => Date.parse('2026-12-01T15:00:00Z') })
  })
  afterAll(() => massive.stop())

  it('should list the splits of an execution-date range from /stocks/v1/splits', async () => {
    massive.reset()
    const splits = adapter()
    expect(await splits.fetchSplits('2026-11-01', '2026-11-30')).toEqual([avgo])
    expect(await splits.fetchSplits('2026-11-17', '2026-11-30')).toEqual([])
    const asked = massive.log.map((r) => new URL(r.pathAndQuery, massive.url))
    expect(asked.map((u) => u.pathname)).toEqual(['/stocks/v1/splits', '/stocks/v1/splits'])
    expect(asked[0].searchParams.get('execution_date.gte')).toBe('2026-11-01')
    expect(asked[0].searchParams.get('execution_date.lte')).toBe('2026-11-30')
  })

  it('should fall back to /v3/reference/splits when the new path answers 404, and keep asking it', async () => {
    massive.reset()
    massive.switches.splitsLegacyOnly = true
    const splits = adapter()
    expect(await splits.fetchSplits('2026-11-01', '2026-11-30')).toEqual([avgo])
    expect(await splits.fetchSplits('2026-11-16', '2026-11-16')).toEqual([avgo])
    expect(massive.log.map((r) => [r.pathAndQuery.split('?')[0], r.status])).toEqual([
      ['/stocks/v1/splits', 404],
      ['/v3/reference/splits', 200],
      ['/v3/reference/splits', 200],
    ])
  })

  it('should serve history split-adjusted by default and as it printed with adjusted=false', async () => {
    massive.reset()
    const day = async (adjusted: string) => {
      const res = await fetch(`${massive.url}/v2/aggs/ticker/AVGO/range/1/day/2026-11-12/2026-11-16?adjusted=${adjusted}`, {
        headers: { authorization: `Bearer ${massive.apiKey}` },
      })
      return ((await res.json()) as { results: { t: number; c: number; v: number }[] }).results
    }
    const [adjusted, raw] = [await day('true'), await day('false')]
    expect(raw.map((b) => b.t)).toEqual(adjusted.map((b) => b.t))
    // Thursday and Friday printed at 4x the adjusted price, with a quarter of the volume; Monday is after the split.
    expect(raw.map((b) => b.c)).toEqual(adjusted.map((b, i) => (i < 2 ? b.c * 4 : b.c)))
    expect(raw.map((b) => b.v)).toEqual(adjusted.map((b, i) => (i < 2 ? b.v / 4 : b.v)))
  })

  it('should answer a provider that refuses the plan with UPSTREAM_NOT_AUTHORIZED', async () => {
    massive.reset()
    massive.switches.notAuthorized = true
    await expect(adapter().fetchSplits('2026-11-01', '2026-11-30')).rejects.toMatchObject({ code: 'UPSTREAM_NOT_AUTHORIZED' })
  })
})
