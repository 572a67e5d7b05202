/** Properties of the snapshots `tickers` parameters: a capped, de-duplicated list of valid tickers or a documented 400, never another throw. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString, outcome } from '../../test/support/properties'
import { isTickerSyntax } from '../core/validate'
import { parseTickerList } from './snapshots-service'

const ticker = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.-]{0,9}$/)

describe('parseTickerList (properties)', () => {
  it('should read any snapshot tickers parameters as a capped, de-duplicated list or a documented 400', () => {
    const part = fc.oneof({ arbitrary: ticker, weight: 5 }, hostileString, fc.constant(''))
    holds(
      fc.property(
        fc.array(
          fc.array(part, { maxLength: 6 }).map((p) => p.join(',')),
          { maxLength: 4 },
        ),
        fc.integer({ min: 1, max: 10 }),
        (values, max) => {
          const r = outcome(['INVALID_TICKER', 'MISSING_TICKERS', 'TOO_MANY_TICKERS'], () =>
            parseTickerList(values, max),
          )
          if (!r.ok) return
          expect(r.value.length).toBeGreaterThan(0)
          expect(r.value.length).toBeLessThanOrEqual(max)
          expect(new Set(r.value).size).toBe(r.value.length)
          for (const t of r.value) expect(isTickerSyntax(t)).toBe(true)
        },
      ),
    )
  })
})
