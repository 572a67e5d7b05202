/** snapshotFigures: unrounded arithmetic against the previous close, rounded once. */
import { describe, expect, test } from 'bun:test'
import { snapshotFigures } from './snapshot-figures'

describe('snapshotFigures', () => {
  test('0.010 → 0.015 is +50 %, not 0 % (the percent comes from the unrounded change)', () => {
    expect(snapshotFigures(0.015, 0.01)).toEqual({ change: 0.005, changePct: 50 })
  })
  test('a sub-cent fall keeps its sign and size', () => {
    expect(snapshotFigures(0.0095, 0.01)).toEqual({ change: -0.0005, changePct: -5 })
  })
  test('ordinary prices: 4 decimals of change, 3 of percent', () => {
    // 187.4321 − 185.12 = 2.3121; 2.3121 / 185.12 × 100 = 1.248973...
    expect(snapshotFigures(187.4321, 185.12)).toEqual({ change: 2.3121, changePct: 1.249 })
    // 99.99 − 100 = −0.01 → −0.01 %
    expect(snapshotFigures(99.99, 100)).toEqual({ change: -0.01, changePct: -0.01 })
  })
  test('a previous close of 0 gives a 0 % change', () => {
    expect(snapshotFigures(5, 0)).toEqual({ change: 5, changePct: 0 })
  })
  test('no change is 0, not −0', () => {
    const f = snapshotFigures(10, 10)
    expect(Object.is(f.change, 0) && Object.is(f.changePct, 0)).toBe(true)
  })
})
