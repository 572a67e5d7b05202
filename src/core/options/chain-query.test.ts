/** Options query parsing: each bad parameter gets its own code; filters match by type and inclusive strike bounds. */
import { describe, expect, it } from 'bun:test'
import { AppError } from '../../errors'
import { matchesFilter, parseChainQuery, parseExpiration } from './chain-query'

function codeOf(fn: () => unknown): string | null {
  try {
    fn()
    return null
  } catch (e) {
    return e instanceof AppError ? e.code : String(e)
  }
}

describe('parseChainQuery', () => {
  const ok = { underlying: 'aapl', expiration: '2025-12-19' }

  it('should normalise good parameters', () => {
    expect(parseChainQuery({ ...ok, contract_type: 'Put', strike_gte: '100', strike_lte: '150.5' })).toEqual({
      underlying: 'AAPL',
      expiration: '2025-12-19',
      filter: { contractType: 'put', gte: 100, lte: 150.5 },
    })
    expect(parseChainQuery(ok).filter).toEqual({ contractType: null, gte: null, lte: null })
  })

  it('should name the field of every bad parameter', () => {
    const cases: [Record<string, string | undefined>, string][] = [
      [{ ...ok, underlying: undefined }, 'INVALID_UNDERLYING'],
      [{ ...ok, underlying: 'O:AAPL' }, 'INVALID_UNDERLYING'],
      [{ ...ok, expiration: undefined }, 'INVALID_EXPIRATION'],
      [{ ...ok, expiration: '2025-02-30' }, 'INVALID_EXPIRATION'],
      [{ ...ok, expiration: '251219' }, 'INVALID_EXPIRATION'],
      [{ ...ok, contract_type: 'both' }, 'INVALID_CONTRACT_TYPE'],
      [{ ...ok, strike_gte: '-5' }, 'INVALID_STRIKE_RANGE'],
      [{ ...ok, strike_lte: 'abc' }, 'INVALID_STRIKE_RANGE'],
      [{ ...ok, strike_lte: '0' }, 'INVALID_STRIKE_RANGE'],
      [{ ...ok, strike_gte: '200', strike_lte: '100' }, 'INVALID_STRIKE_RANGE'],
    ]
    for (const [q, code] of cases) expect({ q, code: codeOf(() => parseChainQuery(q)) }).toEqual({ q, code })
    expect(parseExpiration(' 2024-02-29 ')).toBe('2024-02-29')
  })

  it('should filter by type and inclusive strike bounds', () => {
    const f = { contractType: 'call' as const, gte: 100, lte: 110 }
    expect(matchesFilter(f, 'call', 100)).toBe(true)
    expect(matchesFilter(f, 'call', 110)).toBe(true)
    expect(matchesFilter(f, 'call', 110.5)).toBe(false)
    expect(matchesFilter(f, 'put', 105)).toBe(false)
  })
})
