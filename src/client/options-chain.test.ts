/** The options panel's pure core: strikes window, in-the-money flags, cell text, labels, error wording and poll backoff. */
import { describe, expect, it } from 'bun:test'
import {
  chainMaxWaitMs,
  chainRefreshMs,
  contractFacts,
  nextChainPollMs,
  expirationLabel,
  inTheMoney,
  nearestStrike,
  optionsErrorText,
  sideCells,
  strikeWindow,
  worthRetrying,
} from './options-chain'
import type { OptionChainRow, OptionChainSide, OptionContract } from './wire'

const side = (over: Partial<OptionChainSide> = {}): OptionChainSide => ({
  ticker: 'O:AAPL250321C00215000',
  bid: 2.31,
  ask: 2.43,
  mid: 2.37,
  last: 2.4,
  change: 0.82,
  change_pct: 51.9,
  volume: 2457,
  open_interest: 9266,
  iv: 0.2012,
  delta: 0.4413,
  gamma: 0.0483,
  theta: -0.1602,
  vega: 0.1404,
  break_even: 217.37,
  ...over,
})
const rows = (strikes: number[]): OptionChainRow[] => strikes.map((strike) => ({ strike, call: side(), put: side() }))
const grid = rows(Array.from({ length: 41 }, (_, i) => 150 + i * 2.5)) // 150 … 250

describe('strikeWindow', () => {
  it('should keep the 10 strikes below the price and the 10 at or above it', () => {
    const w = strikeWindow(grid, 201.3)
    expect(w.rows.map((r) => r.strike)).toEqual(Array.from({ length: 20 }, (_, i) => 177.5 + i * 2.5))
    expect(w.rows.filter((r) => r.strike < 201.3)).toHaveLength(10)
    expect(w.atm).toBe(202.5)
    expect(w.hiddenBelow).toBe(11)
    expect(w.hiddenAbove).toBe(10)
  })

  it('should put a strike equal to the price above it', () => {
    const w = strikeWindow(grid, 200, 2)
    expect(w.rows.map((r) => r.strike)).toEqual([195, 197.5, 200, 202.5])
    expect(w.atm).toBe(200)
  })

  it('should clip at the ends of the chain', () => {
    expect(strikeWindow(grid, 151, 3).rows.map((r) => r.strike)).toEqual([150, 152.5, 155, 157.5])
    expect(strikeWindow(grid, 400, 2).rows.map((r) => r.strike)).toEqual([247.5, 250])
    expect(strikeWindow(grid, 400, 2).hiddenAbove).toBe(0)
    expect(strikeWindow(grid, 100, 2).rows.map((r) => r.strike)).toEqual([150, 152.5])
  })

  it('should show every strike when asked or when the price is unknown', () => {
    expect(strikeWindow(grid, 201, 10, true).rows).toHaveLength(41)
    const unknown = strikeWindow(grid, null)
    expect(unknown.rows).toHaveLength(41)
    expect(unknown.atm).toBeNull()
    expect(strikeWindow([], 200).rows).toEqual([])
  })
})

describe('nearestStrike', () => {
  it('should take the nearest listed strike, the lower on a tie', () => {
    expect(nearestStrike(grid, 201.2)).toBe(200)
    expect(nearestStrike(grid, 201.25)).toBe(200)
    expect(nearestStrike(grid, 999)).toBe(250)
    expect(nearestStrike([], 5)).toBeNull()
  })
})

describe('inTheMoney', () => {
  it('should shade calls below the price and puts above it, nothing at the money or without a price', () => {
    expect(inTheMoney('call', 200, 201)).toBe(true)
    expect(inTheMoney('call', 202.5, 201)).toBe(false)
    expect(inTheMoney('put', 202.5, 201)).toBe(true)
    expect(inTheMoney('put', 200, 201)).toBe(false)
    expect(inTheMoney('call', 200, 200)).toBe(false)
    expect(inTheMoney('put', 200, 200)).toBe(false)
    expect(inTheMoney('call', 1, null)).toBe(false)
  })
})

describe('sideCells', () => {
  it('should format each column', () => {
    expect(sideCells(side({ volume: 12457, iv: 0.35 }))).toEqual({
      bid: '2.31',
      ask: '2.43',
      last: '2.40',
      change_pct: '+51.9%',
      volume: '12,457',
      open_interest: '9,266',
      iv: '35.0%',
      delta: '0.441',
    })
    expect(sideCells(side({ delta: -0.0001, change_pct: 0.04 }))).toMatchObject({ delta: '0.000', change_pct: '0.0%' })
    expect(sideCells(side({ change_pct: -3.04, delta: -0.5587 }))).toMatchObject({
      change_pct: '−3.0%',
      delta: '−0.559',
    })
  })

  it('should show dashes for missing numbers and a missing side', () => {
    const none = sideCells(side({ last: null, change_pct: null, volume: null, iv: null, delta: null }))
    expect(none).toMatchObject({ last: '—', change_pct: '—', volume: '—', iv: '—', delta: '—', bid: '2.31' })
    expect(Object.values(sideCells(null)).every((v) => v === '—')).toBe(true)
  })
})

describe('labels', () => {
  it('should name the date, the days left and the kind', () => {
    expect(expirationLabel({ date: '2025-03-21', days_to_expiry: 9, kind: 'monthly' })).toBe(
      'Fri, Mar 21, 2025 · 9 d · monthly',
    )
    expect(expirationLabel({ date: '2025-03-12', days_to_expiry: 0, kind: 'other' })).toBe(
      'Wed, Mar 12, 2025 · today · other',
    )
  })

  it('should list the contract facts, dashes where the snapshot has no part', () => {
    const c: OptionContract = {
      ticker: 'O:AAPL250321C00215000',
      details: {
        underlying: 'AAPL',
        type: 'call',
        style: 'american',
        expiration: '2025-03-21',
        days_to_expiry: 9,
        strike: 215,
        shares_per_contract: 100,
      },
      snapshot: {
        quote: { bid: 2.31, ask: 2.43, mid: 2.37, bid_size: 40, ask_size: 56, updated_at: '2025-03-12T14:00:00Z' },
        last_trade: null,
        day: null,
        greeks: { delta: 0.4413, gamma: 0.0483, theta: -0.1602, vega: 0.1404 },
        iv: 0.2012,
        open_interest: 9266,
        break_even: 217.37,
        underlying_price: 213.24,
        underlying_updated_at: null,
      },
      source: 'simulated',
      updated_at: '2025-03-12T14:00:00Z',
    }
    const facts = Object.fromEntries(contractFacts(c).map((f) => [f.label, f.value]))
    expect(facts).toMatchObject({
      Strike: '215.00',
      Expiration: 'Fri, Mar 21, 2025',
      'Days to expiry': '9 d',
      'Bid × size': '2.31 × 40',
      'Last trade': '—',
      Change: '—',
      'Open interest': '9,266',
      IV: '20.1%',
      Theta: '−0.160',
      'Break-even': '217.37',
    })
  })
})

describe('errors', () => {
  it('should word the codes a trader meets', () => {
    expect(optionsErrorText({ code: 'UNKNOWN_UNDERLYING', message: '' }, 'ZZZZ')).toContain('ZZZZ is not a known')
    expect(optionsErrorText({ code: 'EXPIRATION_NOT_FOUND', message: '' }, 'AAPL', '2025-03-14')).toContain(
      'Fri, Mar 14, 2025',
    )
    expect(optionsErrorText({ code: 'UPSTREAM_UNAVAILABLE', message: 'x' }, 'AAPL')).toContain('unavailable')
    expect(optionsErrorText({ code: 'ODD', message: 'odd thing' }, 'AAPL')).toBe('odd thing (ODD)')
  })

  it('should keep polling through outages only', () => {
    expect(worthRetrying(0)).toBe(true)
    expect(worthRetrying(503)).toBe(true)
    expect(worthRetrying(502)).toBe(true)
    expect(worthRetrying(429)).toBe(true)
    expect(worthRetrying(404)).toBe(false)
    expect(worthRetrying(401)).toBe(false)
  })
})

describe('nextChainPollMs', () => {
  const failed = (status: number, retryAfterMs: number | null = null) =>
    ({ kind: 'failed', status, retryAfterMs }) as const

  it('should poll every 3 s while answers are fresh', () => {
    expect(nextChainPollMs({ kind: 'fresh' }, 0, () => 0.99)).toBe(chainRefreshMs)
    expect(nextChainPollMs({ kind: 'fresh' }, 7, () => 0.99)).toBe(chainRefreshMs)
  })

  it('should wait what Retry-After asks after a 503 or 429, within one poll and five minutes', () => {
    expect(nextChainPollMs(failed(503, 42_000), 0, () => 0)).toBe(42_000)
    expect(nextChainPollMs(failed(429, 1_000), 3, () => 0)).toBe(chainRefreshMs)
    expect(nextChainPollMs(failed(503, 3_600_000), 0, () => 0)).toBe(chainMaxWaitMs)
  })

  it('should back off exponentially, with jitter, over consecutive stale answers and outages without Retry-After', () => {
    const ceilings = [0, 1, 2, 3, 4, 5].map((misses) => nextChainPollMs({ kind: 'stale' }, misses, () => 1))
    expect(ceilings).toEqual([6_000, 12_000, 24_000, 48_000, 60_000, 60_000])
    expect(nextChainPollMs(failed(0), 4, () => 0)).toBe(chainRefreshMs)
    expect(nextChainPollMs(failed(502), 2, () => 0.5)).toBe(chainRefreshMs + (24_000 - chainRefreshMs) / 2)
    // A hundred panels on a stale chain: never faster than a fresh poll, spread over the window.
    const delays = Array.from({ length: 100 }, (_, i) => nextChainPollMs({ kind: 'stale' }, 3, () => i / 100))
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(chainRefreshMs)
    expect(new Set(delays).size).toBe(100)
  })
})
