/** Massive option snapshots mapped to our shape: the provider's fixture, absent optional parts, envelopes and shapes. */
import { describe, expect, it } from 'bun:test'
import { AppError } from '../../errors'
import { parseContractDates, parseOptionChainPage, parseOptionContract } from './options-wire'

// The PY client's fixture for O:AAPL230616C00150000 (massive-api.md 4.4).
const fixture = {
  request_id: '104d9b901d0c9e81d284cb8b41c5cdd3',
  status: 'OK',
  results: {
    break_even_price: 179.075,
    day: {
      change: -2.4,
      change_percent: -7.6433,
      close: 29,
      high: 32.25,
      last_updated: 1651204800000000000,
      low: 29,
      open: 29.99,
      previous_close: 31.4,
      volume: 8,
      vwap: 30.7738,
    },
    details: {
      contract_type: 'call',
      exercise_style: 'american',
      expiration_date: '2023-06-16',
      shares_per_contract: 100,
      strike_price: 150,
      ticker: 'O:AAPL230616C00150000',
    },
    fmv: 29.2,
    greeks: {
      delta: 0.6436614934293701,
      gamma: 0.0061735291012820675,
      theta: -0.028227189324641973,
      vega: 0.6381159723175714,
    },
    implied_volatility: 0.3570277203465058,
    last_quote: {
      ask: 29.25,
      ask_size: 209,
      bid: 28.9,
      bid_size: 294,
      last_updated: 1651254260800059648,
      midpoint: 29.075,
      timeframe: 'REAL-TIME',
    },
    last_trade: {
      price: 29.25,
      sip_timestamp: 1678718527714665700,
      size: 1,
      conditions: [209],
      exchange: 309,
      timeframe: 'REAL-TIME',
    },
    open_interest: 8133,
    underlying_asset: {
      change_to_break_even: 19.1144,
      last_updated: 1651254263172073152,
      price: 159.9606,
      ticker: 'AAPL',
      timeframe: 'REAL-TIME',
    },
  },
}

describe('Massive options wire', () => {
  it('should map the provider fixture, ns times to ms', () => {
    expect(parseOptionContract(fixture, 'AAPL')).toEqual({
      contract: {
        ticker: 'O:AAPL230616C00150000',
        underlying: 'AAPL',
        type: 'call',
        style: 'american',
        expiration: '2023-06-16',
        strike: 150,
        sharesPerContract: 100,
      },
      quote: { bid: 28.9, ask: 29.25, mid: 29.075, bidSize: 294, askSize: 209, updatedAt: 1651254260800 },
      lastTrade: { price: 29.25, size: 1, at: 1678718527715 },
      day: {
        open: 29.99,
        high: 32.25,
        low: 29,
        close: 29,
        volume: 8,
        vwap: 30.7738,
        prevClose: 31.4,
        change: -2.4,
        changePct: -7.6433,
        updatedAt: 1651204800000,
      },
      greeks: fixture.results.greeks,
      iv: 0.3570277203465058,
      openInterest: 8133,
      breakEven: 179.075,
      underlying: { ticker: 'AAPL', price: 159.9606, updatedAt: 1651254263172 },
    })
  })

  it('should leave out what the plan or the contract does not carry', () => {
    const { details } = fixture.results
    const bare = parseOptionChainPage(
      { status: 'OK', results: [{ details, day: {} }, { details: { ...details, contract_type: 'other' } }] },
      'AAPL',
    )
    expect(bare).toEqual({
      items: [
        {
          contract: expect.objectContaining({ ticker: 'O:AAPL230616C00150000', underlying: 'AAPL' }),
          quote: null,
          lastTrade: null,
          day: null,
          greeks: null,
          iv: null,
          openInterest: null,
          breakEven: null,
          underlying: null,
        },
      ],
      nextUrl: null,
    })
  })

  it('should read next_url and expiration dates of a contracts page', () => {
    const body = {
      status: 'OK',
      next_url: 'https://api.massive.com/v3/reference/options/contracts?cursor=YXA9',
      results: [{ expiration_date: '2025-03-21' }, { expiration_date: '2025-03-14' }],
    }
    expect(parseContractDates(body)).toEqual({ items: ['2025-03-21', '2025-03-14'], nextUrl: body.next_url })
    expect(parseContractDates({ status: 'OK' })).toEqual({ items: [], nextUrl: null })
  })

  it('should refuse error envelopes and wrong shapes with UPSTREAM_* codes', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        return e instanceof AppError ? e.code : String(e)
      }
    }
    expect(codeOf(() => parseOptionContract({ status: 'NOT_AUTHORIZED', message: 'upgrade' }, 'AAPL'))).toBe(
      'UPSTREAM_NOT_AUTHORIZED',
    )
    expect(codeOf(() => parseOptionChainPage({ status: 'OK', results: 'oops' }, 'AAPL'))).toBe('UPSTREAM_BAD_RESPONSE')
    expect(codeOf(() => parseOptionChainPage({ status: 'OK', results: [{ day: {} }] }, 'AAPL'))).toBe(
      'UPSTREAM_BAD_RESPONSE',
    )
    expect(codeOf(() => parseContractDates({ status: 'OK', results: [{}] }))).toBe('UPSTREAM_BAD_RESPONSE')
  })
})
