/** Massive snapshot mapping: change figures recomputed from the last price and prevDay.c, not the provider's rounded todaysChange. */
import { describe, expect, it } from 'bun:test'
import { mapSnapshot } from './wire'

describe('mapSnapshot', () => {
  it('computes change and change_pct from the unrounded last price against prevDay.c (0.010 → 0.015 is +50 %)', () => {
    const snap = mapSnapshot({
      ticker: 'PENNY',
      lastTrade: { p: 0.015, t: 1_700_000_000_000_000_000 },
      prevDay: { c: 0.01 },
      // The provider's figures, rounded to cents before the percent: ignored.
      todaysChange: 0.01,
      todaysChangePerc: 100,
    })!
    expect(snap).toMatchObject({ last: 0.015, prevClose: 0.01, change: 0.005, changePct: 50 })
  })

  it('keeps prevDay.c as the previous close even when an after-hours trade is the last price', () => {
    const snap = mapSnapshot({
      ticker: 'AAPL',
      lastTrade: { p: 190.1234, t: 1_700_000_000_000_000_000 },
      day: { o: 186, h: 191, l: 185, c: 189.5, v: 1000 },
      prevDay: { c: 187.25 },
    })!
    // 190.1234 − 187.25 = 2.8734; 2.8734 / 187.25 × 100 = 1.53452...
    expect(snap).toMatchObject({ prevClose: 187.25, change: 2.8734, changePct: 1.535 })
  })

  it('reads lastQuote (P/S ask, p/s bid, t in ns) into the snapshot NBBO, and leaves it out when the plan has none', () => {
    const base = { ticker: 'AAPL', lastTrade: { p: 160, t: 1_651_251_948_407_646_487 }, prevDay: { c: 158 } }
    const snap = mapSnapshot({ ...base, lastQuote: { P: 159.99, S: 5, p: 159.98, s: 3, t: 1_651_251_948_407_646_487 } })!
    expect(snap.lastQuote).toEqual({ bid: 159.98, bidSize: 3, ask: 159.99, askSize: 5, t: 1_651_251_948_408 })
    expect(mapSnapshot(base)!.lastQuote).toBeUndefined()
    expect(mapSnapshot({ ...base, lastQuote: { S: 5, s: 3 } })!.lastQuote).toBeUndefined()
  })
})
