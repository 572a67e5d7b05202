/** Black–Scholes against textbook values (Hull), put–call parity and the expired limit. */
import { describe, expect, it } from 'bun:test'
import { blackScholes, breakEven, normCdf, type PricingInput } from './black-scholes'

const atm: Omit<PricingInput, 'type'> = { spot: 100, strike: 100, years: 1, vol: 0.2, rate: 0.05 }

describe('normCdf', () => {
  it('should match the standard normal table', () => {
    expect(normCdf(0)).toBeCloseTo(0.5, 7)
    expect(normCdf(1)).toBeCloseTo(0.841344746, 6)
    expect(normCdf(-1.96)).toBeCloseTo(0.024997895, 6)
    expect(normCdf(-8) / 6.22096057e-16).toBeCloseTo(1, 5)
  })
})

describe('blackScholes', () => {
  it('should price Hull example 15.6 (S 42, K 40, r 10 %, σ 20 %, 6 months)', () => {
    const input = { spot: 42, strike: 40, years: 0.5, vol: 0.2, rate: 0.1 }
    expect(blackScholes({ ...input, type: 'call' }).price).toBeCloseTo(4.7594, 3)
    expect(blackScholes({ ...input, type: 'put' }).price).toBeCloseTo(0.8086, 3)
  })

  it('should give the textbook at-the-money price and greeks', () => {
    const call = blackScholes({ ...atm, type: 'call' })
    const put = blackScholes({ ...atm, type: 'put' })
    expect(call.price).toBeCloseTo(10.4506, 4)
    expect(put.price).toBeCloseTo(5.5735, 4)
    expect(call.delta).toBeCloseTo(0.63683, 5)
    expect(put.delta).toBeCloseTo(-0.36317, 5)
    expect(call.gamma).toBeCloseTo(0.018762, 6)
    expect(put.gamma).toBeCloseTo(call.gamma, 12)
    expect(call.vega).toBeCloseTo(0.37524, 5)
    expect(call.theta).toBeCloseTo(-6.414 / 365, 5)
    expect(put.theta).toBeCloseTo(-1.6579 / 365, 5)
  })

  it('should satisfy put–call parity with a dividend yield', () => {
    for (const [spot, strike, years, vol] of [
      [228.5, 150, 0.02, 0.35],
      [40, 55, 2.1, 0.6],
      [4000, 3990, 0.25, 0.18],
    ] as const) {
      const input = { spot, strike, years, vol, rate: 0.04, dividendYield: 0.01 }
      const c = blackScholes({ ...input, type: 'call' })
      const p = blackScholes({ ...input, type: 'put' })
      expect(c.price - p.price).toBeCloseTo(spot * Math.exp(-0.01 * years) - strike * Math.exp(-0.04 * years), 8)
      expect(c.delta - p.delta).toBeCloseTo(Math.exp(-0.01 * years), 8)
    }
  })

  it('should agree with a finite difference for delta, gamma, vega and theta', () => {
    const base = { ...atm, strike: 110, years: 0.3, vol: 0.3, type: 'put' as const }
    const at = (patch: Partial<PricingInput>) => blackScholes({ ...base, ...patch }).price
    const g = blackScholes(base)
    const h = 0.01
    expect(g.delta).toBeCloseTo((at({ spot: 100 + h }) - at({ spot: 100 - h })) / (2 * h), 5)
    expect(g.gamma).toBeCloseTo((at({ spot: 100 + h }) - 2 * g.price + at({ spot: 100 - h })) / (h * h), 4)
    expect(g.vega).toBeCloseTo((at({ vol: 0.3 + 0.0001 }) - at({ vol: 0.3 - 0.0001 })) / 0.02, 5)
    expect(g.theta).toBeCloseTo(at({ years: 0.3 - 1 / 365 }) - g.price, 3)
  })

  it('should collapse to intrinsic value at expiry', () => {
    expect(blackScholes({ ...atm, strike: 90, years: 0, type: 'call' })).toEqual({
      price: 10,
      delta: 1,
      gamma: 0,
      theta: 0,
      vega: 0,
    })
    expect(blackScholes({ ...atm, strike: 90, years: -1, type: 'put' }).price).toBe(0)
  })

  it('should compute break-even from the premium', () => {
    expect(breakEven('call', 150, 29.075)).toBeCloseTo(179.075, 10)
    expect(breakEven('put', 150, 4.5)).toBe(145.5)
  })
})
