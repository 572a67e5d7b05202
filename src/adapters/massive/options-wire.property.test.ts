/** Properties of the Massive options wire: any body maps or fails as a named 502; whatever parts a snapshot lacks become null, never NaN or a throw. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString, outcome } from '../../../test/support/properties'
import type { OptionSnapshot } from '../../ports/upstream-options'
import {
  mapOptionSnapshot,
  parseContractDates,
  parseContractUnderlying,
  parseOptionChainPage,
  parseOptionContract,
} from './options-wire'

const upstreamCodes = ['UPSTREAM_BAD_RESPONSE', 'UPSTREAM_ERROR', 'UPSTREAM_NOT_AUTHORIZED']
const price = fc.double({ min: 0.0001, max: 1e5, noNaN: true })
const numberish = fc.oneof({ arbitrary: price, weight: 4 }, fc.double(), fc.jsonValue())
const part = (fields: string[]) =>
  fc.oneof(
    { arbitrary: fc.record(Object.fromEntries(fields.map((f) => [f, numberish])), { requiredKeys: [] }), weight: 3 },
    fc.jsonValue(),
  )
const details = fc.record(
  {
    ticker: fc.oneof({ arbitrary: fc.constant('O:AAPL260116C00150000'), weight: 4 }, fc.jsonValue()),
    expiration_date: fc.oneof({ arbitrary: fc.constant('2026-01-16'), weight: 4 }, fc.jsonValue()),
    strike_price: numberish,
    contract_type: fc.oneof(fc.constantFrom('call', 'put', 'other'), fc.jsonValue()),
    exercise_style: fc.oneof(fc.constantFrom('american', 'european', 'bermudan'), fc.jsonValue()),
    shares_per_contract: numberish,
  },
  { requiredKeys: [] },
)
const snapshotLike = fc.record(
  {
    details: fc.oneof({ arbitrary: details, weight: 5 }, fc.jsonValue()),
    last_quote: part(['bid', 'ask', 'midpoint', 'bid_size', 'ask_size', 'last_updated']),
    last_trade: part(['price', 'size', 'sip_timestamp']),
    day: part([
      'open',
      'high',
      'low',
      'close',
      'volume',
      'vwap',
      'previous_close',
      'change',
      'change_percent',
      'last_updated',
    ]),
    greeks: part(['delta', 'gamma', 'theta', 'vega']),
    underlying_asset: fc.oneof(
      part(['price', 'value', 'last_updated']),
      fc.record({ ticker: fc.oneof(fc.constant('AAPL'), fc.jsonValue()), price: numberish }, { requiredKeys: [] }),
    ),
    implied_volatility: numberish,
    open_interest: numberish,
    break_even_price: numberish,
  },
  { requiredKeys: [] },
)
const status = fc.oneof(fc.constantFrom('OK', 'DELAYED', 'ERROR', 'NOT_AUTHORIZED'), fc.jsonValue())
const anyBody = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      status,
      results: fc.oneof(
        fc.array(
          fc.oneof(
            { arbitrary: snapshotLike, weight: 4 },
            fc.record({ expiration_date: fc.oneof(fc.constant('2026-01-16'), fc.jsonValue()) }),
          ),
          { maxLength: 4 },
        ),
        snapshotLike,
        fc.jsonValue(),
      ),
      next_url: fc.oneof(fc.webUrl(), fc.jsonValue()),
      error: fc.oneof(hostileString, fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
)

/** Every number in a mapped snapshot is finite; absent parts are null, not NaN. */
function expectUsable(s: OptionSnapshot): void {
  expect(['call', 'put']).toContain(s.contract.type)
  expect(['american', 'european', 'bermudan']).toContain(s.contract.style)
  const numbers = (v: unknown): number[] =>
    typeof v === 'number' ? [v] : v !== null && typeof v === 'object' ? Object.values(v).flatMap(numbers) : []
  for (const n of numbers(s)) expect(Number.isNaN(n)).toBe(false)
  expect(Number.isFinite(s.contract.strike)).toBe(true)
}

describe('Massive options wire (properties)', () => {
  it('should map any body or refuse it with a named upstream error, never another throw', () => {
    holds(
      fc.property(anyBody, (body) => {
        const dates = outcome(upstreamCodes, () => parseContractDates(body))
        if (dates.ok) for (const d of dates.value.items) expect(typeof d).toBe('string')
        const chain = outcome(upstreamCodes, () => parseOptionChainPage(body, 'AAPL'))
        if (chain.ok) chain.value.items.forEach(expectUsable)
        const one = outcome(upstreamCodes, () => parseOptionContract(body, 'AAPL'))
        if (one.ok && one.value) expectUsable(one.value)
        const underlying = outcome(upstreamCodes, () => parseContractUnderlying(body))
        if (underlying.ok) expect(underlying.value === null || typeof underlying.value === 'string').toBe(true)
      }),
    )
  })

  it('should keep a snapshot whose details hold, whatever its other parts are', () => {
    holds(
      fc.property(snapshotLike, fc.constantFrom('call', 'put'), price, (item, type, strike) => {
        const d = {
          ticker: 'O:AAPL260116C00150000',
          expiration_date: '2026-01-16',
          strike_price: strike,
          contract_type: type,
        }
        const snap = mapOptionSnapshot({ ...item, details: d }, 'AAPL', 'option chain')
        expect(snap).not.toBeNull()
        expectUsable(snap!)
        expect(snap!.contract).toMatchObject({ ticker: d.ticker, type, strike, expiration: '2026-01-16' })
      }),
    )
  })
})
