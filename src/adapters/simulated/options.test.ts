/** The simulated options model's invariants: deterministic, listed expirations, strikes around the price, parity within the spread, expiry. */

import { describe, expect, it } from 'bun:test'
import { yearsToExpiry } from '../../core/options/expirations'
import { SimulatedClock } from '../memory/simulated-clock'
import type { OptionSnapshot } from '../../ports/upstream-options'
import { clearMarketCaches, snapshotAt } from './market'
import {
  simulatedChain,
  simulatedContract,
  simulatedContracts,
  simulatedExpirations,
  simulatedRiskFreeRate,
} from './options'
import { SimulatedOptions } from './simulated-options'

const NOW = Date.UTC(2025, 2, 12, 18, 0) // Wednesday 14:00 New York
const SATURDAY = Date.UTC(2025, 2, 15, 15, 0)
const PRE_OPEN = Date.UTC(2025, 2, 12, 12, 0) // 08:00 New York
const all = { contractType: null, gte: null, lte: null }

describe('simulated options', () => {
  it('should list ascending future expirations for a known underlying only', () => {
    const dates = simulatedExpirations('AAPL', NOW)
    expect(dates[0]).toBe('2025-03-14')
    expect(dates.length).toBeGreaterThanOrEqual(12)
    expect([...dates].sort()).toEqual(dates)
    expect(new Set(dates).size).toBe(dates.length)
    expect(simulatedExpirations('ZZZZ', NOW)).toEqual([])
  })

  it('should be a pure function of (underlying, as-of)', () => {
    const a = simulatedChain('MSFT', '2025-04-17', NOW, all)
    clearMarketCaches()
    simulatedChain('MSFT', '2025-03-21', NOW + 3_600_000, all)
    expect(simulatedChain('MSFT', '2025-04-17', NOW, all)).toEqual(a)
    expect(a).toEqual(simulatedChain('MSFT', '2025-04-17', NOW, all))
  })

  it('should centre strikes on the price, with calls and puts on each strike, ascending', () => {
    for (const [ticker, at] of [
      ['AAPL', NOW],
      ['T', SATURDAY],
      ['BKNG', PRE_OPEN],
    ] as const) {
      for (const expiration of simulatedExpirations(ticker, at)) {
        const chain = simulatedChain(ticker, expiration, at, all)
        const price = snapshotAt(ticker, at).last
        expect(chain[0]!.contract.strike).toBeLessThan(price * 0.8)
        expect(chain.at(-1)!.contract.strike).toBeGreaterThan(price * 1.2)
        expect(chain.map((c) => c.contract.type).join('')).toBe('callput'.repeat(chain.length / 2))
        for (let i = 2; i < chain.length; i++)
          expect(chain[i]!.contract.strike).toBeGreaterThan(chain[i - 2]!.contract.strike)
        expect(chain.every((c) => c.underlying?.price === price)).toBe(true)
      }
    }
  })

  it('should keep put–call parity within the quoted spread, and quotes around the theoretical price', () => {
    for (const expiration of simulatedExpirations('NVDA', NOW)) {
      const chain = simulatedChain('NVDA', expiration, NOW, all)
      const years = yearsToExpiry(expiration, NOW)
      for (let i = 0; i < chain.length; i += 2) {
        const [call, put] = [chain[i]!, chain[i + 1]!]
        const parity = call.underlying!.price - call.contract.strike * Math.exp(-simulatedRiskFreeRate * years)
        expect(call.quote!.bid - put.quote!.ask).toBeLessThanOrEqual(parity + 1e-9)
        expect(call.quote!.ask - put.quote!.bid).toBeGreaterThanOrEqual(parity - 1e-9)
        for (const c of [call, put]) checkSnapshot(c)
      }
    }
  })

  it('should show a put skew: far out-of-the-money puts richer in IV than at the money', () => {
    const chain = simulatedChain('AAPL', '2025-04-17', NOW, { contractType: 'put', gte: null, lte: null })
    const price = snapshotAt('AAPL', NOW).last
    const atm = chain.reduce((a, b) =>
      Math.abs(b.contract.strike - price) < Math.abs(a.contract.strike - price) ? b : a,
    )
    expect(chain[0]!.iv!).toBeGreaterThan(atm.iv! * 1.2)
    expect(atm.openInterest!).toBeGreaterThan(chain[0]!.openInterest!)
  })

  it('should filter by type and strike, and serve each contract as the chain does', () => {
    const chain = simulatedChain('AAPL', '2025-03-21', NOW, { contractType: 'put', gte: 200, lte: 230 })
    expect(chain.length).toBeGreaterThan(5)
    expect(chain.every((c) => c.contract.type === 'put' && c.contract.strike >= 200 && c.contract.strike <= 230)).toBe(
      true,
    )
    expect(simulatedContract(chain[3]!.contract.ticker, NOW)).toEqual(chain[3]!)
    expect(simulatedContract('O:AAPL250321P00201000', NOW)).toBeNull() // not on the 2.5 grid
    expect(simulatedContract('O:AAPL250319P00200000', NOW)).toBeNull() // not a listed date
    expect(simulatedContract('O:ZZZZ250321P00200000', NOW)).toBeNull()
    expect(simulatedContract('AAPL', NOW)).toBeNull()
  })

  it('should make contracts disappear the day after they expire', () => {
    const ticker = simulatedChain('AAPL', '2025-03-14', NOW, all)[10]!.contract.ticker
    const friday = Date.UTC(2025, 2, 14, 21, 0) // 17:00 New York, after the close
    const expired = simulatedContract(ticker, friday)!
    expect(expired.greeks!.gamma).toBe(0)
    expect(expired.quote!.mid).toBeCloseTo(Math.max(0, expired.underlying!.price - expired.contract.strike), 1)
    expect(simulatedContract(ticker, Date.UTC(2025, 2, 15, 4, 30))).toBeNull() // 00:30 Saturday
    expect(simulatedExpirations('AAPL', Date.UTC(2025, 2, 15, 4, 30))[0]).toBe('2025-03-21')
  })

  it('should carry the previous session on a weekend and before the open', () => {
    for (const at of [SATURDAY, PRE_OPEN]) {
      const chain = simulatedChain('AAPL', simulatedExpirations('AAPL', at)[3]!, at, all)
      const traded = chain.filter((c) => c.day !== null)
      expect(traded.length).toBeGreaterThan(chain.length / 2)
      for (const c of chain) checkSnapshot(c)
    }
  })

  it('should list every chain contract in the reference list, and a LEAPS chain bigger than one provider page', () => {
    const listed = simulatedContracts('BKNG', NOW)
    const leaps = simulatedExpirations('BKNG', NOW).at(-1)!
    const chain = simulatedChain('BKNG', leaps, NOW, all)
    expect(chain.length).toBeGreaterThan(250)
    expect(listed.filter((c) => c.expiration === leaps)).toEqual(chain.map((c) => c.contract))
  })

  it('should serve the model through the port as of the clock', async () => {
    const clock = new SimulatedClock(NOW)
    const port = new SimulatedOptions(clock)
    expect(await port.expirations('AAPL')).toEqual(simulatedExpirations('AAPL', NOW))
    expect(await port.chain('AAPL', '2025-03-21', all)).toEqual(simulatedChain('AAPL', '2025-03-21', NOW, all))
    clock.advance(3 * 86_400_000)
    expect(await port.expirations('AAPL')).toEqual(simulatedExpirations('AAPL', NOW + 3 * 86_400_000))
    expect(await port.contract('O:AAPL250314C00200000')).toBeNull()
    expect(port.requests).toBe(4)
  })
})

/** Quote, trade, day and greeks that make sense together. */
function checkSnapshot(c: OptionSnapshot): void {
  const { quote, day, greeks, contract } = c
  expect(quote!.bid).toBeGreaterThanOrEqual(0)
  expect(quote!.ask).toBeGreaterThan(quote!.bid)
  expect(quote!.mid).toBeCloseTo((quote!.bid + quote!.ask) / 2, 3)
  expect(c.breakEven!).toBeCloseTo(contract.strike + (contract.type === 'call' ? 1 : -1) * quote!.mid, 6)
  if (contract.type === 'call') expect(greeks!.delta).toBeGreaterThanOrEqual(0)
  else expect(greeks!.delta).toBeLessThanOrEqual(0)
  expect(Math.abs(greeks!.delta)).toBeLessThanOrEqual(1)
  expect(greeks!.gamma).toBeGreaterThanOrEqual(0)
  expect(c.iv!).toBeGreaterThan(0.05)
  expect(c.lastTrade!.price).toBeGreaterThan(0)
  if (day) {
    expect(day.high).toBeGreaterThanOrEqual(Math.max(day.open, day.close))
    expect(day.low).toBeLessThanOrEqual(Math.min(day.open, day.close))
    expect(day.close).toBe(c.lastTrade!.price)
    expect(day.change).toBeCloseTo(day.close - day.prevClose, 6)
    expect(day.volume).toBeGreaterThan(0)
  }
}
