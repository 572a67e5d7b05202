/** Tests of price ages: a streamed price is as old as the stream's last byte, a polled one as its last REST snapshot; stale past the threshold. */
import { describe, expect, it } from 'bun:test'
import { ageLabel, PriceAges } from './price-age'

describe('PriceAges', () => {
  it('should age a streamed price from the last byte and a fetched one from its arrival, stale after 6 s', () => {
    const ages = new PriceAges(6_000)
    expect(ages.age('AAPL', 1_000, null)).toEqual({ ageMs: null, stale: true, streamed: false })
    ages.fetched(['AAPL', 'MSFT'], 1_000)
    expect(ages.age('AAPL', 2_000, 1_900)).toEqual({ ageMs: 100, stale: false, streamed: true })
    // The stream went silent at 1_900 and was lost: its tickers keep that time.
    ages.streamLost(['AAPL'], 1_900)
    expect(ages.age('AAPL', 7_900, null)).toEqual({ ageMs: 6_000, stale: false, streamed: false })
    expect(ages.age('AAPL', 7_901, null)).toEqual({ ageMs: 6_001, stale: true, streamed: false })
    expect(ages.age('MSFT', 7_901, null)).toMatchObject({ ageMs: 6_901, stale: true })
    // A later snapshot makes it current again; an older one never ages it back.
    ages.fetched(['AAPL'], 9_000)
    ages.fetched(['AAPL'], 8_000)
    expect(ages.age('AAPL', 9_500, null)).toEqual({ ageMs: 500, stale: false, streamed: false })
  })

  it('should label ages in the largest whole unit', () => {
    expect([999, 12_500, 61_000, 3 * 3_600_000 + 5, 2 * 86_400_000].map(ageLabel)).toEqual(['0s', '12s', '1m', '3h', '2d'])
  })
})
