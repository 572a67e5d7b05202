/** RequestBudget priorities on a simulated clock: options and background calls stop short of the interactive reserve; interactive calls may spend it. */
import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../memory/simulated-clock'
import { interactiveReserve, RequestBudget, type BudgetSlot } from './request-budget'

const MINUTE = 60_000

function take(budget: RequestBudget, priority: 'interactive' | 'options' | 'background'): BudgetSlot {
  const got = budget.tryAcquire(priority)
  if (!('release' in got)) throw new Error(`refused ${priority}: wait ${got.waitMs} ms`)
  return got
}

describe('RequestBudget priorities', () => {
  it('should reserve 40 % of the budget rounded up, at least one call when there is more than one', () => {
    expect([5, 1, 2, 3, 10, 100].map((limit) => interactiveReserve(limit, 40))).toEqual([2, 0, 1, 2, 4, 40])
    expect([interactiveReserve(5, 0), interactiveReserve(null, 40), interactiveReserve(5, 90)]).toEqual([0, 0, 4])
  })

  it('should let options spend only down to the reserve, and interactive calls the rest', () => {
    const clock = new SimulatedClock(0)
    const budget = new RequestBudget({ limit: 5, reservedInteractive: 2, clock })
    for (let i = 0; i < 3; i++) {
      take(budget, i === 2 ? 'background' : 'options').release()
      clock.advance(1_000)
    }
    // The oldest call (t = 0) must leave the window before another options call fits.
    expect(budget.tryAcquire('options')).toEqual({ waitMs: MINUTE - 3_000 })
    expect(budget.tryAcquire('background')).toEqual({ waitMs: MINUTE - 3_000 })
    expect(budget.state()).toEqual({ limitPerMinute: 5, remaining: 2, resetsAt: MINUTE, reservedInteractive: 2 })
    take(budget, 'interactive').release()
    take(budget, 'interactive').release()
    // Now all five are spent: interactive waits for the oldest call to leave the window, options for the third (t = 2 s).
    expect(budget.tryAcquire('interactive')).toEqual({ waitMs: MINUTE - 3_000 })
    expect(budget.tryAcquire('options')).toEqual({ waitMs: 2_000 + MINUTE - 3_000 })
    clock.advance(MINUTE - 3_000)
    take(budget, 'interactive')
  })

  it('should count calls in flight, which free up only a window after they finish', () => {
    const clock = new SimulatedClock(0)
    const budget = new RequestBudget({ limit: 3, reservedInteractive: 1, clock })
    const slots = [take(budget, 'options'), take(budget, 'options')]
    expect(budget.tryAcquire('options')).toEqual({ waitMs: Infinity })
    slots[0]!.release()
    expect(budget.tryAcquire('options')).toEqual({ waitMs: MINUTE })
    take(budget, 'interactive')
  })

  it('should refuse a reserve that leaves nothing to the others', () => {
    const clock = new SimulatedClock(0)
    expect(() => new RequestBudget({ limit: 2, reservedInteractive: 2, clock })).toThrow(RangeError)
    expect(new RequestBudget({ limit: null, reservedInteractive: 3, clock }).tryAcquire('options')).toHaveProperty('release')
  })
})
