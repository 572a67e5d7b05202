import { describe, expect, it } from 'bun:test'
import { minuteBars, snapshotAt, tradesBetween } from '../adapters/simulated/market'
import type { LiveBar, Trade } from './market-types'
import { applyMinuteBar, applySeed, applyTrade, createSymbolState, drain } from './coalesce'
import { nyDayStartOfIndex, nyDayIndex } from './market-time'

const trade = (t: number, p: number, s = 10): Trade => ({ symbol: 'X', p, s, t, q: t })
const bar = (t: number, c: number, n = 1): LiveBar => ({ symbol: 'X', t, e: t + 60_000, o: c, h: c, l: c, c, v: n * 10, vw: c, n })

describe('coalesce', () => {
  it('should fold a window of trades into the last trade with count and volume', () => {
    const s = createSymbolState()
    applyTrade(s, trade(1000, 10, 5))
    applyTrade(s, trade(2000, 11, 7))
    applyTrade(s, trade(3000, 12, 1))
    const out = drain(s)
    expect(out.find((o) => o.type === 'trade')).toEqual({ type: 'trade', eventTs: 3000, data: { p: 12, s: 1, t: 3000, count: 3, volume: 13 } })
    expect(drain(s)).toEqual([])
  })

  it('should build the live bar from trades exactly like the market builds minute bars', () => {
    const t0 = Date.UTC(2025, 2, 12, 15, 0, 0)
    const s = createSymbolState()
    for (const t of tradesBetween('AAPL', t0, t0 + 60_000)) applyTrade(s, t)
    const live = drain(s).find((o) => o.type === 'bar')!
    expect(live.data).toEqual({ ...minuteBars('AAPL', t0, t0 + 60_000, t0 + 60_000)[0], state: 'live' })
  })

  it('should send no snapshot before prev close is known, then the market snapshot', () => {
    const now = Date.UTC(2025, 2, 12, 15, 0, 0)
    const s = createSymbolState()
    applyTrade(s, tradesBetween('AAPL', now - 60_000, now).at(-1)!)
    expect(drain(s).map((o) => o.type)).toEqual(['bar', 'trade'])
    applySeed(s, snapshotAt('AAPL', now), now)
    const snap = drain(s)
    const market = snapshotAt('AAPL', now)
    expect(snap).toEqual([
      {
        type: 'snapshot',
        eventTs: market.updatedAt,
        data: { last: market.last, change: market.change, change_pct: market.changePct, prev_close: market.prevClose, updated_at: market.updatedAt },
      },
    ])
  })

  it('should mark the first provider bar of a minute final and later ones corrections, superseding the live bar', () => {
    const s = createSymbolState()
    applyTrade(s, trade(60_500, 10))
    applyMinuteBar(s, bar(60_000, 10))
    applyMinuteBar(s, bar(60_000, 11, 2))
    let out = drain(s)
    expect(out.filter((o) => o.type === 'bar').map((o) => [o.data.t, (o.data as any).state, (o.data as any).c])).toEqual([[60_000, 'final', 11]])
    applyMinuteBar(s, bar(60_000, 12, 3))
    applyTrade(s, trade(60_900, 9)) // late trade of a closed minute: no live bar for it
    out = drain(s)
    expect(out.filter((o) => o.type === 'bar').map((o) => (o.data as any).state)).toEqual(['correction'])
  })

  it('should send a closed minute and the next live minute in the same flush, final first', () => {
    const s = createSymbolState()
    applyTrade(s, trade(60_500, 10))
    applyTrade(s, trade(120_100, 11))
    applyMinuteBar(s, bar(60_000, 10))
    const bars = drain(s).filter((o) => o.type === 'bar')
    expect(bars.map((o) => [o.data.t, (o.data as any).state])).toEqual([
      [60_000, 'final'],
      [120_000, 'live'],
    ])
  })

  it('should roll prev close over to the last price of the previous NY day', () => {
    const day = nyDayIndex(Date.UTC(2025, 2, 12, 15))
    const tomorrow = nyDayStartOfIndex(day + 1)
    const s = createSymbolState()
    applySeed(s, { ticker: 'X', last: 50, prevClose: 40, change: 10, changePct: 25, updatedAt: tomorrow - 5000 }, tomorrow - 1000)
    applyTrade(s, trade(tomorrow - 500, 55))
    expect(drain(s).find((o) => o.type === 'snapshot')!.data).toMatchObject({ prev_close: 40, last: 55, change: 15 })
    applyTrade(s, trade(tomorrow + 500, 54))
    expect(drain(s).find((o) => o.type === 'snapshot')!.data).toMatchObject({ prev_close: 55, last: 54, change: -1, change_pct: -1.818 })
  })
})
