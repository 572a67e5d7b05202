/** Trade conditions: the table's rules, the combination rule, the extended-hours Form T exception, and bars built under them. */
import { describe, expect, it } from 'bun:test'
import { accumulateRuledTrade, accumulatorToBar, openAccumulator } from './bars'
import { Condition, eligibilityOf, mergeConditions, minuteRules, stockSaleConditions } from './trade-conditions'

describe('trade conditions', () => {
  it('should let a regular sale (no conditions) update everything', () => {
    expect(eligibilityOf([])).toEqual({
      price: { highLow: true, openClose: true, volume: true },
      extendedMinute: { highLow: true, openClose: true, volume: true },
    })
  })

  it('should keep odd lots, average-price and cash sales out of prices but in volume', () => {
    for (const id of [Condition.OddLot, Condition.AveragePrice, Condition.CashSale]) {
      const e = eligibilityOf([id])
      expect({ id, ...e.price }).toEqual({ id, highLow: false, openClose: false, volume: true })
      expect({ id, ...e.extendedMinute }).toEqual({ id, highLow: false, openClose: false, volume: true })
    }
  })

  it('should let out-of-sequence and derivatively priced prints set high/low but not open/close', () => {
    for (const id of [Condition.SoldOutOfSequence, Condition.DerivativelyPriced])
      expect({ id, ...eligibilityOf([id]).price }).toEqual({ id, highLow: true, openClose: false, volume: true })
  })

  it('should combine conditions: a field moves only if every condition allows it', () => {
    expect(eligibilityOf([Condition.IntermarketSweep, Condition.OddLot]).price).toEqual({ highLow: false, openClose: false, volume: true })
    expect(eligibilityOf([Condition.OfficialClose]).price.volume).toBe(false)
  })

  it('should let Form T set prices in extended-hours minute bars only, and never together with an odd lot', () => {
    const formT = eligibilityOf([Condition.FormT])
    expect(minuteRules(formT, false)).toEqual({ highLow: false, openClose: false, volume: true })
    expect(minuteRules(formT, true)).toEqual({ highLow: true, openClose: true, volume: true })
    expect(minuteRules(eligibilityOf([Condition.FormT, Condition.OddLot]), true)).toEqual({ highLow: false, openClose: false, volume: true })
  })

  it('should treat unknown ids (indicators, retired codes) as neutral, and prefer the provider\'s rows', () => {
    expect(eligibilityOf([62, 99]).price).toEqual({ highLow: true, openClose: true, volume: true })
    const merged = mergeConditions(stockSaleConditions, [{ id: 37, name: 'Odd Lot Trade', highLow: false, openClose: false, volume: false }])
    expect(eligibilityOf([37], merged).price.volume).toBe(false)
    expect(merged.get(2)?.name).toBe('Average Price Trade')
  })
})

describe('bars under the rules', () => {
  const regular = { highLow: true, openClose: true, volume: true }
  const oddLot = { highLow: false, openClose: false, volume: true }
  const outOfSequence = { highLow: true, openClose: false, volume: true }

  it('should keep an odd lot priced away from the market out of OHLC but count its volume', () => {
    const acc = openAccumulator(0)
    accumulateRuledTrade(acc, 100, 200, regular)
    accumulateRuledTrade(acc, 150, 5, oddLot)
    accumulateRuledTrade(acc, 101, 100, regular)
    expect(accumulatorToBar(acc)).toEqual({ t: 0, o: 100, h: 101, l: 100, c: 101, v: 305, vw: expect.any(Number), n: 3 })
  })

  it('should let an out-of-sequence print widen high/low without becoming the open or the close', () => {
    const acc = openAccumulator(0)
    accumulateRuledTrade(acc, 99, 100, outOfSequence)
    accumulateRuledTrade(acc, 100, 100, regular)
    accumulateRuledTrade(acc, 102, 100, outOfSequence)
    const bar = accumulatorToBar(acc)!
    expect([bar.o, bar.h, bar.l, bar.c]).toEqual([100, 102, 99, 100])
  })

  it('should give no bar for a minute of only price-ineligible prints', () => {
    const acc = openAccumulator(0)
    accumulateRuledTrade(acc, 100, 10, oddLot)
    accumulateRuledTrade(acc, 100, 20, oddLot)
    expect(accumulatorToBar(acc)).toBeNull()
  })
})
