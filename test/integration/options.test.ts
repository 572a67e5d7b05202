/** Options over HTTP on the simulated market (the default source): expirations, chains and contracts, every code, auth, OpenAPI. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { listedExpirations } from '../../src/core/options/expirations'
import { nyDayIndex } from '../../src/core/market-time'
import { simulatedChain, simulatedContract } from '../../src/adapters/simulated/options'
import type { Clock } from '../../src/ports/clock'
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import { Http, startApp } from '../support/harness'
import { expectedChain, expectedContract } from '../support/options-expected'

/** Wednesday 2025-03-12 14:00 New York: the market is open. */
const NOW = Date.UTC(2025, 2, 12, 18, 0)
const all = { contractType: null, gte: null, lte: null }

describe('options on the simulated market', () => {
  let app: App
  let http: Http
  const clock: Clock = { ...createSystemClock(), now: () => NOW }
  beforeAll(async () => {
    app = await startApp({}, { clock })
    http = new Http(app)
    await http.signUp()
  })
  afterAll(() => app.stop())

  it('should require a session on every route', async () => {
    const anonymous = new Http(app)
    for (const path of [
      '/api/v1/options/expirations?underlying=AAPL',
      '/api/v1/options/chain?underlying=AAPL&expiration=2025-03-21',
      '/api/v1/options/contracts/O:AAPL250321C00200000',
    ]) {
      const res = await anonymous.get(path)
      expect({ path, status: res.status, code: res.json.error.code }).toEqual({
        path,
        status: 401,
        code: 'AUTH_REQUIRED',
      })
    }
  })

  it('should list expirations with days to expiry and kind', async () => {
    const res = await http.get('/api/v1/options/expirations?underlying=aapl')
    expect(res.status).toBe(200)
    expect(res.json.underlying).toBe('AAPL')
    expect(res.json.source).toBe('simulated')
    expect(res.json.updated_at).toBe(new Date(NOW).toISOString())
    const today = nyDayIndex(NOW)
    expect(res.json.expirations.map((e: any) => ({ date: e.date, kind: e.kind }))).toEqual(listedExpirations(today))
    expect(res.json.expirations.slice(0, 2)).toEqual([
      { date: '2025-03-14', days_to_expiry: 2, kind: 'weekly' },
      { date: '2025-03-21', days_to_expiry: 9, kind: 'monthly' },
    ])
  })

  it('should answer a chain equal to the model, calls and puts side by side', async () => {
    const res = await http.get('/api/v1/options/chain?underlying=NVDA&expiration=2025-04-17')
    expect(res.status).toBe(200)
    expect(res.json).toEqual(
      expectedChain('NVDA', '2025-04-17', simulatedChain('NVDA', '2025-04-17', NOW, all), 'simulated'),
    )
    const strikes = res.json.strikes.map((s: any) => s.strike)
    expect(strikes).toEqual([...strikes].sort((a, b) => a - b))
    expect(res.json.strikes[0].strike).toBeLessThan(res.json.underlying_price)
    expect(res.json.strikes.at(-1).strike).toBeGreaterThan(res.json.underlying_price)
  })

  it('should filter by contract type and strike range', async () => {
    const res = await http.get(
      '/api/v1/options/chain?underlying=AAPL&expiration=2025-03-21&contract_type=PUT&strike_gte=200&strike_lte=220',
    )
    expect(res.status).toBe(200)
    expect(res.json.strikes.length).toBeGreaterThan(3)
    for (const s of res.json.strikes) {
      expect(s.call).toBeNull()
      expect(s.put.ticker).toMatch(/^O:AAPL250321P/)
      expect(s.strike >= 200 && s.strike <= 220).toBe(true)
    }
    // A range with no contract in it still says where the underlying is (to place the range).
    const whole = await http.get('/api/v1/options/chain?underlying=AAPL&expiration=2025-03-21')
    const empty = await http.get('/api/v1/options/chain?underlying=AAPL&expiration=2025-03-21&strike_gte=100000')
    expect(empty.json.strikes).toEqual([])
    expect(empty.json.underlying_price).toBe(whole.json.underlying_price)
    expect(whole.json.underlying_price).toBeGreaterThan(0)
  })

  it('should answer one contract with details and snapshot, colon plain or encoded', async () => {
    const ticker = simulatedChain('MSFT', '2025-03-21', NOW, all)[20]!.contract.ticker
    const plain = await http.get(`/api/v1/options/contracts/${ticker}`)
    const encoded = await http.get(`/api/v1/options/contracts/${encodeURIComponent(ticker.toLowerCase())}`)
    expect(plain.status).toBe(200)
    expect(plain.json).toEqual(expectedContract(simulatedContract(ticker, NOW)!, NOW, 'simulated'))
    expect(encoded.json).toEqual(plain.json)
    expect(plain.json.details).toMatchObject({
      underlying: 'MSFT',
      style: 'american',
      expiration: '2025-03-21',
      days_to_expiry: 9,
      shares_per_contract: 100,
    })
  })

  it('should give every bad parameter its code', async () => {
    const cases: [string, number, string][] = [
      ['/expirations', 400, 'INVALID_UNDERLYING'],
      ['/expirations?underlying=', 400, 'INVALID_UNDERLYING'],
      ['/expirations?underlying=%24%24', 400, 'INVALID_UNDERLYING'],
      ['/expirations?underlying=ZZZZZ', 404, 'UNKNOWN_UNDERLYING'],
      ['/chain?expiration=2025-03-21', 400, 'INVALID_UNDERLYING'],
      ['/chain?underlying=AAPL', 400, 'INVALID_EXPIRATION'],
      ['/chain?underlying=AAPL&expiration=2025-02-30', 400, 'INVALID_EXPIRATION'],
      ['/chain?underlying=AAPL&expiration=20250321', 400, 'INVALID_EXPIRATION'],
      ['/chain?underlying=AAPL&expiration=2025-03-21&contract_type=both', 400, 'INVALID_CONTRACT_TYPE'],
      ['/chain?underlying=AAPL&expiration=2025-03-21&strike_gte=abc', 400, 'INVALID_STRIKE_RANGE'],
      ['/chain?underlying=AAPL&expiration=2025-03-21&strike_gte=300&strike_lte=200', 400, 'INVALID_STRIKE_RANGE'],
      ['/chain?underlying=ZZZZZ&expiration=2025-03-21', 404, 'UNKNOWN_UNDERLYING'],
      ['/chain?underlying=AAPL&expiration=2025-03-20', 404, 'EXPIRATION_NOT_FOUND'],
      ['/chain?underlying=AAPL&expiration=2025-03-07', 404, 'EXPIRATION_NOT_FOUND'],
      ['/contracts/AAPL', 400, 'INVALID_OPTION_TICKER'],
      ['/contracts/O:AAPL250321X00200000', 400, 'INVALID_OPTION_TICKER'],
      ['/contracts/O:AAPL250231C00200000', 400, 'INVALID_OPTION_TICKER'],
      ['/contracts/%E0%A4%A', 400, 'INVALID_OPTION_TICKER'],
      ['/contracts/%25', 400, 'INVALID_OPTION_TICKER'],
      ['/contracts/O:AAPL250321C00201000', 404, 'UNKNOWN_CONTRACT'],
      ['/contracts/O:AAPL250307C00200000', 404, 'UNKNOWN_CONTRACT'],
      ['/contracts/O:ZZZZ250321C00200000', 404, 'UNKNOWN_CONTRACT'],
    ]
    for (const [path, status, code] of cases) {
      const res = await http.get(`/api/v1/options${path}`)
      expect({ path, status: res.status, code: res.json?.error?.code }).toEqual({ path, status, code })
      expect(res.text).not.toContain('    at ')
    }
  })

  it('should keep bars for stocks only: an option ticker is INVALID_TICKER', async () => {
    const res = await http.get('/api/v1/market-data/bars?ticker=O:AAPL250321C00200000&timespan=day&from=2025-03-01')
    expect([res.status, res.json.error.code]).toEqual([400, 'INVALID_TICKER'])
  })

  it('should document the routes in the OpenAPI document', async () => {
    const doc = (await http.get('/docs/json')).json
    for (const path of [
      '/api/v1/options/expirations',
      '/api/v1/options/chain',
      '/api/v1/options/contracts/{option_ticker}',
    ]) {
      const op = doc.paths[path]?.get
      expect({ path, summary: typeof op?.summary }).toEqual({ path, summary: 'string' })
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '502', '503']))
    }
    expect(doc.paths['/api/v1/options/chain'].get.description).toContain('EXPIRATION_NOT_FOUND')
  })
})
