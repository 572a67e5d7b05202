/** The UpstreamRest contract: one suite every history/snapshot adapter (simulated, Massive over HTTP) must pass, checked against the simulated market. */
import { describe, expect, it } from 'bun:test'
import { dayBars, minuteBars, snapshotAt } from '../../src/adapters/simulated/market'
import { nyDayStart } from '../../src/core/market-time'
import type { Bar } from '../../src/core/market-types'
import type { UpstreamRest } from '../../src/ports/upstream'

const DAY = 86_400_000
const MINUTE = 60_000

/** Base bars the contract promises: from <= t < to, ascending, no duplicates. */
function expectWellFormed(bars: Bar[], from: number, to: number): void {
  for (const [i, bar] of bars.entries()) {
    expect(bar.t).toBeGreaterThanOrEqual(from)
    expect(bar.t).toBeLessThan(to)
    if (i > 0) expect(bar.t).toBeGreaterThan(bars[i - 1]!.t)
  }
}

/** `make` builds the adapter whose market is the simulated one as of `now` (a busy Wednesday; the local Massive server's clock too), without a request budget. */
export function upstreamRestContract(name: string, now: number, make: () => UpstreamRest): void {
  const today = nyDayStart(now)
  const twoDaysAgo = nyDayStart(today - DAY - 1)

  describe(`UpstreamRest contract: ${name}`, () => {
    it("should answer the market's minute bars of a range, from <= t < to, ascending and unique", async () => {
      const bars = await make().fetchBars('AAPL', 'minute', twoDaysAgo, today)
      expect(bars.length).toBeGreaterThan(400)
      expectWellFormed(bars, twoDaysAgo, today)
      expect(bars).toEqual(minuteBars('AAPL', twoDaysAgo, today, now))
    })

    it('should cut a range that is not minute aligned to the bars that start inside it', async () => {
      const from = today - DAY + 10 * 3_600_000 + 30_000
      const to = from + 90 * MINUTE
      const bars = await make().fetchBars('MSFT', 'minute', from, to)
      expect(bars.length).toBeGreaterThan(0)
      expectWellFormed(bars, from, to)
      expect(bars).toEqual(minuteBars('MSFT', from, to, now).filter((b) => b.t >= from))
    })

    it("should answer day bars at New York midnight, the day that starts at `to` excluded, and today's as of now", async () => {
      const from = nyDayStart(today - 20 * DAY)
      const history = await make().fetchBars('AAPL', 'day', from, today)
      expect(history.length).toBeGreaterThanOrEqual(10)
      expectWellFormed(history, from, today)
      expect(history.every((b) => nyDayStart(b.t) === b.t)).toBe(true)
      expect(history).toEqual(dayBars('AAPL', from, today, now))
      const withToday = await make().fetchBars('AAPL', 'day', from, today + DAY)
      expect(withToday.at(-1)).toEqual(dayBars('AAPL', today, today + DAY, now)[0]!)
    })

    it('should answer no bars for an unknown ticker, an empty range and an inverted one', async () => {
      const upstream = make()
      expect(await upstream.fetchBars('ZZZZ', 'minute', twoDaysAgo, today)).toEqual([])
      expect(await upstream.fetchBars('AAPL', 'minute', today, today)).toEqual([])
      expect(await upstream.fetchBars('AAPL', 'minute', today, today - MINUTE)).toEqual([])
    })

    it("should answer the market's snapshot of each known ticker once, and leave unknown ones out", async () => {
      const snapshots = await make().fetchSnapshots(['AAPL', 'MSFT', 'ZZZZ', 'AAPL'])
      expect([...snapshots.keys()].sort()).toEqual(['AAPL', 'MSFT'])
      for (const ticker of ['AAPL', 'MSFT']) {
        const got = snapshots.get(ticker)!
        const expected = snapshotAt(ticker, now)!
        expect(got.ticker).toBe(ticker)
        expect(got.last).toBe(expected.last)
        expect(got.prevClose).toBe(expected.prevClose)
        expect(got.change).toBeCloseTo(expected.change, 9)
        expect(got.changePct).toBeCloseTo(expected.changePct, 9)
        expect(got.updatedAt).toBe(expected.updatedAt)
        expect(got.day).toEqual(expected.day!)
      }
      expect((await make().fetchSnapshots([])).size).toBe(0)
    })

    it('should tell a known ticker from an unknown one', async () => {
      const upstream = make()
      expect(await upstream.lookupTicker('AAPL')).toBe(true)
      expect(await upstream.lookupTicker('ZZZZ')).toBe(false)
    })

    it('should take every priority alike while no budget is set', async () => {
      const upstream = make()
      for (const priority of ['interactive', 'options', 'background'] as const) {
        expect(await upstream.lookupTicker('AAPL', priority)).toBe(true)
        expect((await upstream.fetchSnapshots(['MSFT'], priority)).has('MSFT')).toBe(true)
        expect(await upstream.fetchBars('AAPL', 'minute', today - 2 * 3_600_000, today, priority)).toEqual(
          minuteBars('AAPL', today - 2 * 3_600_000, today, now),
        )
      }
    })

    it('should report its name, ok health, an unlimited budget and the calls it made', async () => {
      const upstream = make()
      expect(upstream.status()).toMatchObject({
        name: upstream.name,
        health: 'ok',
        budget: { limitPerMinute: null, remaining: null, resetsAt: null },
        requests: 0,
      })
      await upstream.lookupTicker('MSFT')
      await upstream.fetchSnapshots(['AAPL'])
      expect(upstream.status().requests).toBe(2)
      expect(upstream.status().health).toBe('ok')
    })
  })
}
