import { describe, expect, it } from 'bun:test'
import { ConflationBuffer, conflationKey } from './conflation'
import { marketMessage } from '../contract/protocol'

const msg = (type: 'trade' | 'bar' | 'snapshot' | 'no_bar', symbol: string, seq: number, data: object) =>
  marketMessage({ type, symbol, seq, epoch: 'e', eventTs: 0, ts: 0, source: 'simulated', data })

describe('conflation', () => {
  it('should keep the latest trade and snapshot per symbol and one bar per minute', () => {
    const b = new ConflationBuffer()
    b.offer('A', msg('trade', 'A', 1, { p: 1 }))
    b.offer('A', msg('bar', 'A', 2, { t: 60_000, state: 'live' }))
    b.offer('B', msg('trade', 'B', 1, { p: 9 }))
    b.offer('A', msg('trade', 'A', 3, { p: 2 }))
    b.offer('A', msg('bar', 'A', 4, { t: 60_000, state: 'final' }))
    b.offer('A', msg('bar', 'A', 5, { t: 120_000, state: 'live' }))
    const out = b.take().map((p) => JSON.parse(p))
    expect(out.map((m) => `${m.symbol}${m.seq}`)).toEqual(['B1', 'A3', 'A4', 'A5'])
    expect(b.replaced).toBe(2)
    expect(b.size).toBe(0)
  })

  it('should forget an unsubscribed symbol', () => {
    const b = new ConflationBuffer()
    b.offer('AB', msg('trade', 'AB', 1, {}))
    b.offer('A', msg('trade', 'A', 1, {}))
    b.forget('A')
    expect(b.take().map((p) => JSON.parse(p).symbol)).toEqual(['AB'])
  })

  it("should keep every minute's no_bar for a slow consumer", () => {
    const b = new ConflationBuffer()
    b.offer('A', msg('no_bar', 'A', 1, { t: 60_000 }))
    b.offer('A', msg('no_bar', 'A', 2, { t: 120_000 }))
    expect(b.take().map((p) => JSON.parse(p).data.t)).toEqual([60_000, 120_000])
    expect(b.replaced).toBe(0)
  })

  it('should key bars by their minute', () => {
    expect(conflationKey('A', msg('bar', 'A', 1, { t: 5, o: 1 }))).toBe('A|bar|5')
    expect(conflationKey('A', msg('snapshot', 'A', 1, {}))).toBe('A|snapshot')
  })
})
