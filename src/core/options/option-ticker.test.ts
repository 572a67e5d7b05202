/** Option ticker parse/format: the provider's examples, round trips and a clear reason for each malformed form. */
import { describe, expect, it } from 'bun:test'
import { AppError } from '../../errors'
import { formatOptionTicker, occRoot, optionTickerProblem, parseOptionTicker } from './option-ticker'

describe('parseOptionTicker', () => {
  it('should read the provider examples', () => {
    expect(parseOptionTicker('O:AAPL251219C00150000')).toEqual({
      ticker: 'O:AAPL251219C00150000',
      root: 'AAPL',
      expiration: '2025-12-19',
      type: 'call',
      strike: 150,
    })
    expect(parseOptionTicker(' o:evri240920p00012500 ')).toMatchObject({ root: 'EVRI', type: 'put', strike: 12.5 })
    expect(parseOptionTicker('O:F250117C00000500').strike).toBe(0.5)
  })

  it('should round-trip through formatOptionTicker', () => {
    for (const t of ['O:AAPL251219C00150000', 'O:BRKB270115P00462500', 'O:T260320C00022500', 'O:BKNG260116C04010000']) {
      const p = parseOptionTicker(t)
      expect(formatOptionTicker({ underlying: p.root, expiration: p.expiration, type: p.type, strike: p.strike })).toBe(
        t,
      )
    }
    expect(formatOptionTicker({ underlying: 'BRK.B', expiration: '2027-01-15', type: 'put', strike: 462.5 })).toBe(
      'O:BRKB270115P00462500',
    )
    expect(occRoot('brk.b')).toBe('BRKB')
  })

  it('should refuse malformed tickers with a reason', () => {
    const cases: [string, RegExp][] = [
      ['AAPL251219C00150000', /starts with "O:"/],
      ['O:251219C00150000', /root/],
      ['O:ABCDEFG251219C00150000', /root/],
      ['O:AAPL1251219C00150000', /YYMMDD/],
      ['O:AAPL2512C00150000', /YYMMDD/],
      ['O:AAPL251219X00150000', /C \(call\) or P \(put\)/],
      ['O:AAPL251219C0015000', /8 digits/],
      ['O:AAPL251219C001500000', /8 digits/],
      ['O:AAPL250231C00150000', /not a calendar date/],
      ['O:AAPL251219C00000000', /greater than 0/],
    ]
    for (const [ticker, reason] of cases) expect(optionTickerProblem(ticker) ?? '').toMatch(reason)
    let error: unknown
    try {
      parseOptionTicker('O:AAPL251219X00150000')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('INVALID_OPTION_TICKER')
    expect((error as AppError).status).toBe(400)
    expect((error as AppError).message).toContain('C (call) or P (put)')
  })

  it('should refuse to format parts no ticker can carry', () => {
    expect(() =>
      formatOptionTicker({ underlying: 'AAPL', expiration: '2025-12-19', type: 'call', strike: 0.0001 }),
    ).toThrow()
    expect(() =>
      formatOptionTicker({ underlying: 'AAPL', expiration: '2025-12-19', type: 'call', strike: 100_000 }),
    ).toThrow()
    expect(() => formatOptionTicker({ underlying: '123', expiration: '2025-12-19', type: 'call', strike: 1 })).toThrow()
  })
})
