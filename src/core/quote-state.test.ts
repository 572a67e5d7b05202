/** The stream's NBBO state: one quote message per window with the latest values and the count it closes, a seed that never overrides a newer live quote, snapshot fields null until known. */
import { describe, expect, it } from 'bun:test'
import type { Quote } from './market-types'
import { applyQuote, createQuoteState, seedQuote, snapshotQuoteFields, takeQuote } from './quote-state'

const quote = (t: number, bid: number, ask: number): Quote => ({
  symbol: 'AAPL',
  bid,
  bidSize: 3,
  bidExchange: 4,
  ask,
  askSize: 5,
  askExchange: 7,
  t,
  q: t,
})

describe('quote state', () => {
  it('should keep the latest quote of a window with the number of updates it stands for, then start a new window', () => {
    const s = createQuoteState()
    expect(takeQuote(s)).toBeNull()
    applyQuote(s, quote(1, 10, 10.02))
    applyQuote(s, quote(2, 10.01, 10.03))
    applyQuote(s, { ...quote(3, 10.02, 10.04), condition: 1 })
    expect(takeQuote(s)).toEqual({
      bid: 10.02,
      ask: 10.04,
      bid_size: 3,
      ask_size: 5,
      bid_exchange: 4,
      ask_exchange: 7,
      condition: 1,
      t: 3,
      count: 3,
    })
    expect(takeQuote(s)).toBeNull()
    applyQuote(s, quote(4, 10.03, 10.05))
    expect(takeQuote(s)).toMatchObject({ t: 4, count: 1, condition: null })
  })

  it('should take a seed only while no newer quote is known, and give null snapshot fields until one is', () => {
    const s = createQuoteState()
    expect(snapshotQuoteFields(s.nbbo)).toEqual({ bid: null, ask: null, bid_size: null, ask_size: null })
    seedQuote(s, { bid: 9, bidSize: 1, ask: 9.5, askSize: 2, t: 10 })
    expect(snapshotQuoteFields(s.nbbo)).toEqual({ bid: 9, ask: 9.5, bid_size: 1, ask_size: 2 })
    applyQuote(s, quote(20, 10, 10.02))
    seedQuote(s, { bid: 8, bidSize: 1, ask: 8.5, askSize: 2, t: 15 })
    expect(snapshotQuoteFields(s.nbbo)).toEqual({ bid: 10, ask: 10.02, bid_size: 3, ask_size: 5 })
    seedQuote(s, undefined)
    expect(s.nbbo?.t).toBe(20)
  })
})
