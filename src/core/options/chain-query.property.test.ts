/** Properties of the options chain parameters: any input is a filter or a 400 naming its field; valid parameters round-trip. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString, outcome } from '../../../test/support/properties'
import { isTickerSyntax } from '../validate'
import { parseChainQuery } from './chain-query'

const documented = ['INVALID_UNDERLYING', 'INVALID_EXPIRATION', 'INVALID_CONTRACT_TYPE', 'INVALID_STRIKE_RANGE']
const underlying = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.-]{0,9}$/)
const expiration = fc
  .date({ min: new Date('1000-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10))
const strike = fc.integer({ min: 1, max: 999_999_999 }).map((milli) => milli / 1000)
const strikeText = strike.map((s) => String(s))
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: valid, weight: 6 },
    { arbitrary: hostileString, weight: 2 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  )

describe('parseChainQuery (properties)', () => {
  it('should turn any parameters into a consistent filter or a documented 400', () => {
    holds(
      fc.property(
        fc.record(
          {
            underlying: mostly(underlying),
            expiration: mostly(expiration),
            contract_type: mostly(fc.constantFrom('call', 'put', 'CALL', ' Put ', '')),
            strike_gte: mostly(fc.oneof(strikeText, fc.stringMatching(/^-?\d{0,7}(\.\d{0,4})?$/))),
            strike_lte: mostly(fc.oneof(strikeText, fc.stringMatching(/^-?\d{0,7}(\.\d{0,4})?$/))),
          },
          { requiredKeys: [] },
        ),
        (q) => {
          const r = outcome(documented, () => parseChainQuery(q))
          if (!r.ok) return
          const { underlying: u, expiration: e, filter } = r.value
          expect(isTickerSyntax(u)).toBe(true)
          expect(e).toMatch(/^\d{4}-\d{2}-\d{2}$/)
          expect([null, 'call', 'put']).toContain(filter.contractType)
          for (const bound of [filter.gte, filter.lte]) if (bound !== null) expect(bound).toBeGreaterThan(0)
          if (filter.gte !== null && filter.lte !== null) expect(filter.gte).toBeLessThanOrEqual(filter.lte)
        },
      ),
    )
  })

  it('should read valid parameters back as given', () => {
    holds(
      fc.property(
        underlying,
        expiration,
        fc.constantFrom('call' as const, 'put' as const, null),
        strike,
        strike,
        (u, e, type, a, b) => {
          const [gte, lte] = a <= b ? [a, b] : [b, a]
          const q = parseChainQuery({
            underlying: u,
            expiration: e,
            contract_type: type ?? undefined,
            strike_gte: String(gte),
            strike_lte: String(lte),
          })
          expect(q).toEqual({ underlying: u.toUpperCase(), expiration: e, filter: { contractType: type, gte, lte } })
        },
      ),
    )
  })
})
