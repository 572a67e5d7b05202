/** Black–Scholes–Merton for European options: price, greeks (theta per day, vega per vol point) and break-even. Pure. */
import type { ContractType } from './option-ticker'

export interface PricingInput {
  type: ContractType
  /** Underlying price. */
  spot: number
  strike: number
  /** Time to expiry in years (ACT/365); ≤ 0 means expired: intrinsic value, flat greeks. */
  years: number
  /** Annualised volatility, 0.25 = 25 %. */
  vol: number
  /** Continuously compounded risk-free rate, 0.04 = 4 %. */
  rate: number
  /** Continuous dividend yield. @default 0 */
  dividendYield?: number
}

export interface Greeks {
  delta: number
  gamma: number
  /** Change in price per calendar day that passes. */
  theta: number
  /** Change in price per 1 point (0.01) of volatility. */
  vega: number
}

export interface Pricing extends Greeks {
  price: number
}

const daysPerYear = 365
const invSqrt2Pi = 1 / Math.sqrt(2 * Math.PI)

/** Standard normal density. */
function normPdf(x: number): number {
  return invSqrt2Pi * Math.exp(-0.5 * x * x)
}

/** Standard normal CDF through erfc (Chebyshev fit, relative error < 1.2e-7 in both tails). */
export function normCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2)
}

function erfc(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
  const r = t * Math.exp(poly)
  return x >= 0 ? r : 2 - r
}

/** Price and greeks of one European option. */
export function blackScholes(input: PricingInput): Pricing {
  const { type, spot: s, strike: k, years: t, vol, rate: r } = input
  const q = input.dividendYield ?? 0
  const call = type === 'call'
  if (!(t > 0) || !(vol > 0)) {
    const forward = s * Math.exp(-q * Math.max(t, 0))
    const discounted = k * Math.exp(-r * Math.max(t, 0))
    const inTheMoney = call ? forward > discounted : forward < discounted
    const price = Math.max(0, call ? forward - discounted : discounted - forward)
    return { price, delta: inTheMoney ? (call ? 1 : -1) : 0, gamma: 0, theta: 0, vega: 0 }
  }
  const sqrtT = Math.sqrt(t)
  const d1 = (Math.log(s / k) + (r - q + 0.5 * vol * vol) * t) / (vol * sqrtT)
  const d2 = d1 - vol * sqrtT
  const carry = Math.exp(-q * t)
  const discount = Math.exp(-r * t)
  const density = normPdf(d1)
  const decay = (-s * carry * density * vol) / (2 * sqrtT)
  const gamma = (carry * density) / (s * vol * sqrtT)
  const vega = (s * carry * density * sqrtT) / 100
  if (call) {
    const price = s * carry * normCdf(d1) - k * discount * normCdf(d2)
    const theta = decay - r * k * discount * normCdf(d2) + q * s * carry * normCdf(d1)
    return { price: Math.max(0, price), delta: carry * normCdf(d1), gamma, theta: theta / daysPerYear, vega }
  }
  const price = k * discount * normCdf(-d2) - s * carry * normCdf(-d1)
  const theta = decay + r * k * discount * normCdf(-d2) - q * s * carry * normCdf(-d1)
  return { price: Math.max(0, price), delta: -carry * normCdf(-d1), gamma, theta: theta / daysPerYear, vega }
}

/** The underlying price at expiry where a buyer at `premium` breaks even: strike + premium (call), strike − premium (put). */
export function breakEven(type: ContractType, strike: number, premium: number): number {
  return type === 'call' ? strike + premium : strike - premium
}
