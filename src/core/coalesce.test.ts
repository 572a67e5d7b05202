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
        data: {
          last: market.last,
          change: market.change,
          change_pct: market.changePct,
          prev_close: market.prevClose,
          updated_at: market.updatedAt,
          bid: null,
          ask: null,
          bid_size: null,
          ask_size: null,
          day: { open: market.day!.o, high: market.day!.h, low: market.day!.l, volume: market.day!.v, vwap: market.day!.vw! },
        },
      },
    ])
  })

  it("should keep the day's figures equal to the provider's: the seed's day, plus every trade after it, none twice", () => {
    const start = Date.UTC(2025, 2, 12, 15, 0, 0) // 11:00 New York
    const seedAt = start + 20_000
    const end = start + 30 * 60_000
    const s = createSymbolState()
    const trades = tradesBetween('AAPL', start, end)
    // The stream starts at 11:00; the seed, asked for at 11:00:20, arrives after the trades up to 11:00:40.
    for (const t of trades.filter((t) => t.t < seedAt + 20_000)) applyTrade(s, t)
    applySeed(s, snapshotAt('AAPL', seedAt), seedAt)
    for (const t of trades.filter((t) => t.t >= seedAt + 20_000)) applyTrade(s, t)
    const day = drain(s).find((o) => o.type === 'snapshot')!.data as any
    const provider = snapshotAt('AAPL', end - 1).day!
    expect({ ...day.day, vwap: Math.round(day.day.vwap * 100) }).toEqual({
      open: provider.o,
      high: provider.h,
      low: provider.l,
      volume: provider.v,
      vwap: Math.round(provider.vw! * 100),
    })
  })

  it("should not take the closed session's day for today's (a seed before the provider clears it at 03:30), nor a seed after trades were dropped", () => {
    const monday = Date.UTC(2025, 2, 10, 15, 0, 0) // Monday 11:00 New York
    const tuesday2am = Date.UTC(2025, 2, 11, 6, 0, 0) // Tuesday 02:00
    const night = createSymbolState()
    const stale = snapshotAt('AAPL', Date.UTC(2025, 2, 11, 0, 30, 0)) // Monday 20:30: Monday's day, Monday's last trade
    applySeed(night, stale, tuesday2am)
    for (const t of tradesBetween('AAPL', Date.UTC(2025, 2, 11, 14, 30, 0), Date.UTC(2025, 2, 11, 14, 35, 0))) applyTrade(night, t)
    expect((drain(night).find((o) => o.type === 'snapshot')!.data as any).day).toBeUndefined()
    const flooded = createSymbolState()
    for (let i = 0; i < 10_001; i++) applyTrade(flooded, { symbol: 'AAPL', p: 200, s: 100, t: monday + i, q: i })
    applySeed(flooded, snapshotAt('AAPL', monday), monday)
    expect((drain(flooded).find((o) => o.type === 'snapshot')!.data as any).day).toBeUndefined()
  })

  it('should carry no day figures while it knows only part of the day (no seed, or a seed without a day)', () => {
    const now = Date.UTC(2025, 2, 12, 15, 0, 0)
    const s = createSymbolState()
    applySeed(s, { ...snapshotAt('AAPL', now), day: undefined }, now)
    for (const t of tradesBetween('AAPL', now, now + 60_000)) applyTrade(s, t)
    expect((drain(s).find((o) => o.type === 'snapshot')!.data as any).day).toBeUndefined()
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

  it('should number the versions of a window: final 0, then each correction one more, a conflated one skipped', () => {
    const s = createSymbolState()
    const revisions = () => drain(s).flatMap((o) => (o.type === 'bar' ? [[(o.data as any).state, (o.data as any).revision]] : []))
    applyMinuteBar(s, bar(60_000, 10))
    expect(revisions()).toEqual([['final', 0]])
    applyMinuteBar(s, bar(60_000, 11))
    expect(revisions()).toEqual([['correction', 1]])
    applyMinuteBar(s, bar(60_000, 12))
    applyMinuteBar(s, bar(60_000, 13))
    expect(revisions()).toEqual([['correction', 3]])
    applyMinuteBar(s, bar(120_000, 13))
    expect(revisions()).toEqual([['final', 0]])
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

  it('should roll prev close over to the last regular-session price, not a post-market trade', () => {
    // Wednesday 2025-03-12 (EDT): regular 13:30–20:00 UTC, post-market until 00:00 UTC.
    const day = nyDayIndex(Date.UTC(2025, 2, 12, 15))
    const tomorrow = nyDayStartOfIndex(day + 1)
    const s = createSymbolState()
    applySeed(s, { ticker: 'X', last: 50, prevClose: 40, change: 10, changePct: 25, updatedAt: Date.UTC(2025, 2, 12, 15) }, Date.UTC(2025, 2, 12, 15))
    applyTrade(s, trade(Date.UTC(2025, 2, 12, 19, 59, 59), 52)) // 15:59:59 ET: the regular close
    applyTrade(s, trade(Date.UTC(2025, 2, 12, 23, 0), 55)) // 19:00 ET: after-hours
    expect(drain(s).find((o) => o.type === 'snapshot')!.data).toMatchObject({ prev_close: 40, last: 55, change: 15, change_pct: 37.5 })
    applyTrade(s, trade(tomorrow + 9 * 3_600_000, 54)) // 05:00 ET next day: pre-market
    // 54 − 52 = 2; 2 / 52 = 3.846 %
    expect(drain(s).find((o) => o.type === 'snapshot')!.data).toMatchObject({ prev_close: 52, last: 54, change: 2, change_pct: 3.846 })
  })

  it('should keep the previous close over a day without a regular-session trade', () => {
    // Saturday 2025-03-15 has no session: a trade there (simulated around the clock) does not close a day.
    const sat = nyDayStartOfIndex(nyDayIndex(Date.UTC(2025, 2, 15, 15)))
    const s = createSymbolState()
    applySeed(s, { ticker: 'X', last: 50, prevClose: 40, change: 10, changePct: 25, updatedAt: sat + 1000 }, sat + 1000)
    applyTrade(s, trade(sat + 15 * 3_600_000, 45))
    applyTrade(s, trade(sat + 86_400_000 + 15 * 3_600_000, 46))
    expect(drain(s).find((o) => o.type === 'snapshot')!.data).toMatchObject({ prev_close: 40, last: 46, change: 6, change_pct: 15 })
  })

  it('should take a seed taken after the close as the day\'s regular close (the provider\'s day.c)', () => {
    const day = nyDayIndex(Date.UTC(2025, 2, 12, 15))
    const tomorrow = nyDayStartOfIndex(day + 1)
    const s = createSymbolState()
    const seed = { ticker: 'X', last: 51, prevClose: 40, change: 11, changePct: 27.5, updatedAt: Date.UTC(2025, 2, 12, 22), day: { o: 41, h: 52, l: 40, c: 50, v: 100 } }
    applySeed(s, seed, Date.UTC(2025, 2, 12, 23))
    applyTrade(s, trade(tomorrow + 9 * 3_600_000, 55))
    expect(drain(s).find((o) => o.type === 'snapshot')!.data).toMatchObject({ prev_close: 50, last: 55, change: 5, change_pct: 10 })
  })

  it('should compute change and change_pct from unrounded prices (0.010 → 0.015 is +50 %)', () => {
    const s = createSymbolState()
    const t = Date.UTC(2025, 2, 12, 15)
    applySeed(s, { ticker: 'X', last: 0.01, prevClose: 0.01, change: 0, changePct: 0, updatedAt: t }, t)
    applyTrade(s, trade(t + 1000, 0.015))
    expect(drain(s).find((o) => o.type === 'snapshot')!.data).toMatchObject({ prev_close: 0.01, last: 0.015, change: 0.005, change_pct: 50 })
  })
})
