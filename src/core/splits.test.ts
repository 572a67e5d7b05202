/** A split read from two versions of one bar: the provider's adjusted bar against the stored one, and corrections that are not splits. */
import { describe, expect, it } from 'bun:test'
import { adjustBar, rescaleBetween, splitOfRatio } from './splits'
import type { Bar } from './market-types'

const stored: Bar = { t: 0, o: 400, h: 404, l: 398, c: 402, v: 12_000, vw: 401, n: 90 }

describe('rescaleBetween', () => {
  it('should read a forward and a reverse split from an adjusted bar', () => {
    expect(rescaleBetween(stored, adjustBar(stored, 4))).toBe(4)
    expect(rescaleBetween(stored, adjustBar(stored, 0.1))).toBeCloseTo(0.1, 12)
    expect(rescaleBetween(stored, adjustBar(stored, 1.5))).toBeCloseTo(1.5, 12)
  })

  it('should accept the provider rounding adjusted prices to 4 decimals and volume to whole shares', () => {
    const round = (x: number) => Math.round(x * 1e4) / 1e4
    const small: Bar = { ...stored, o: 1.2345, h: 1.2401, l: 1.2299, c: 1.2377, vw: 1.2351, v: 700 }
    const fresh = adjustBar(small, 7)
    const provider = {
      ...fresh,
      o: round(fresh.o),
      h: round(fresh.h),
      l: round(fresh.l),
      c: round(fresh.c),
      vw: round(fresh.vw),
      v: Math.round(fresh.v),
    }
    expect(rescaleBetween(small, provider)).toBeCloseTo(7, 1)
  })

  it('should not take an equal or a corrected bar for a split', () => {
    expect(rescaleBetween(stored, stored)).toBeNull()
    expect(rescaleBetween(stored, { ...stored, h: 410, c: 405, v: 12_500 })).toBeNull()
    // A large correction of one price is not one ratio on all four.
    expect(rescaleBetween(stored, { ...stored, l: 100 })).toBeNull()
    // A 10 % move of every price is within a correction's reach.
    expect(rescaleBetween(stored, adjustBar(stored, 1.1))).toBeNull()
  })

  it('should not take a corrected print of a thin bar for a split', () => {
    // One print: o = h = l = c, so any move is "one ratio for all four prices".
    const print = (price: number, v: number): Bar => ({ t: 0, o: price, h: price, l: price, c: price, v, vw: price, n: v > 0 ? 1 : 0 })
    expect(rescaleBetween(print(10, 1), print(13, 1))).toBeNull() // r 0.77
    expect(rescaleBetween(print(10, 1), print(7, 1))).toBeNull() // r 1.43
    expect(rescaleBetween(print(10, 1), print(20, 1))).toBeNull() // r 0.5
    expect(rescaleBetween(print(10, 2), print(14, 2))).toBeNull() // r 0.71
    expect(rescaleBetween(print(10, 0), print(15, 0))).toBeNull() // r 0.67
    // Many shares at one price, volume following the ratio: still no price range to read a ratio from.
    expect(rescaleBetween(print(10, 400), print(2.5, 1600))).toBeNull()
    // A bar with a range, adjusted exactly, but under 100 shares on either scale.
    const thin: Bar = { ...stored, v: 90 }
    expect(rescaleBetween(thin, adjustBar(thin, 4))).toBeNull()
    expect(rescaleBetween({ ...stored, v: 900 }, adjustBar({ ...stored, v: 900 }, 0.1))).toBeNull() // 90 shares after
  })

  it('should not take a bar whose trade count changed or whose vw did not follow for a split', () => {
    expect(rescaleBetween(stored, { ...adjustBar(stored, 4), n: stored.n - 1 })).toBeNull()
    expect(rescaleBetween(stored, { ...adjustBar(stored, 4), vw: stored.vw })).toBeNull()
  })

  it('should not take prices on a new scale with volume on the old one for a split', () => {
    expect(rescaleBetween(stored, { ...adjustBar(stored, 4), v: stored.v })).toBeNull()
    expect(rescaleBetween(stored, { ...adjustBar(stored, 4), o: 0 })).toBeNull()
  })
})

describe('splitOfRatio', () => {
  it('should write a ratio as the provider lists splits', () => {
    expect(splitOfRatio(4)).toEqual({ splitFrom: 1, splitTo: 4 })
    expect(splitOfRatio(0.1)).toEqual({ splitFrom: 10, splitTo: 1 })
    expect(splitOfRatio(1.5)).toEqual({ splitFrom: 2, splitTo: 3 })
    expect(splitOfRatio(4.0013)).toEqual({ splitFrom: 1, splitTo: 4 })
    expect(splitOfRatio(Math.PI * 100)).toEqual({ splitFrom: 1, splitTo: 314 })
  })
})
