/** Properties of option tickers: any text is parsed or refused with INVALID_OPTION_TICKER and a reason, and every contract round-trips. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString, outcome } from '../../../test/support/properties'
import { formatOptionTicker, maxStrike, optionTickerProblem, parseOptionTicker } from './option-ticker'

const contract = fc.record({
  root: fc.stringMatching(/^[A-Z]{1,6}$/),
  expiration: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  type: fc.constantFrom('call' as const, 'put' as const),
  strike: fc.integer({ min: 1, max: maxStrike * 1000 }).map((milli) => milli / 1000),
})
/** Text shaped like a ticker (each part right or wrong), so the later checks are reached, not only the prefix. */
const tickerLike = fc
  .tuple(
    fc.constantFrom('O:', 'o:', '', 'O', 'X:'),
    fc.stringMatching(/^[A-Za-z]{0,8}$/),
    fc.stringMatching(/^\d{0,8}$/),
    fc.constantFrom('C', 'P', 'c', 'p', 'X', ''),
    fc.stringMatching(/^\d{0,10}$/),
    fc.constantFrom('', ' ', '\n'),
  )
  .map((parts) => parts.join(''))

describe('option tickers (properties)', () => {
  it('should parse any text or refuse it with INVALID_OPTION_TICKER, exactly when optionTickerProblem names a reason', () => {
    holds(
      fc.property(fc.oneof(tickerLike, hostileString, fc.anything()), (raw) => {
        const r = outcome(['INVALID_OPTION_TICKER'], () => parseOptionTicker(raw))
        const problem = typeof raw === 'string' ? optionTickerProblem(raw.trim().toUpperCase()) : 'not text'
        expect(r.ok).toBe(problem === null)
        if (r.ok) {
          expect(formatOptionTicker({ ...r.value, underlying: r.value.root })).toBe(r.value.ticker)
          expect(r.value.strike).toBeGreaterThan(0)
        }
      }),
    )
  })

  it('should round-trip every contract through its ticker', () => {
    holds(
      fc.property(contract, (c) => {
        const ticker = formatOptionTicker({ ...c, underlying: c.root })
        expect(parseOptionTicker(ticker)).toEqual({ ticker, ...c })
        expect(parseOptionTicker(` ${ticker.toLowerCase()} `)).toEqual({ ticker, ...c })
      }),
    )
  })
})
