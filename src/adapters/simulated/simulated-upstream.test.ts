/** Tests for SimulatedUpstream: bars as of the clock, snapshots, lookups and the request counter. */

import { describe, expect, it } from 'bun:test'
import { MINUTE_MS } from '../../core/market-time.ts'
import { SimulatedClock } from '../memory/simulated-clock.ts'
import { dayBars, minuteBars, snapshotAt } from './market.ts'
import { SimulatedUpstream } from './simulated-upstream.ts'

const OPEN = Date.UTC(2025, 2, 12, 13, 30) // 2025-03-12 09:30 EDT

describe('SimulatedUpstream', () => {
  it('serves minute and day bars as of clock.now(), moving with the clock', async () => {
    const clock = new SimulatedClock(OPEN + 10 * MINUTE_MS + 5_000)
    const upstream = new SimulatedUpstream({ clock })
    const minutes = await upstream.fetchBars('AAPL', 'minute', OPEN, OPEN + 60 * MINUTE_MS)
    expect(minutes).toHaveLength(11)
    expect(minutes).toEqual(minuteBars('AAPL', OPEN, OPEN + 60 * MINUTE_MS, clock.now()))
    clock.advance(5 * MINUTE_MS)
    expect(await upstream.fetchBars('AAPL', 'minute', OPEN, OPEN + 60 * MINUTE_MS)).toHaveLength(16)
    const days = await upstream.fetchBars('AAPL', 'day', Date.UTC(2025, 2, 1), Date.UTC(2025, 3, 1))
    expect(days).toEqual(dayBars('AAPL', Date.UTC(2025, 2, 1), Date.UTC(2025, 3, 1), clock.now()))
    expect(days.at(-1)!.t).toBe(Date.UTC(2025, 2, 12, 4))
  })

  it('returns [] for an unknown ticker or an inverted range, and omits unknown snapshots', async () => {
    const upstream = new SimulatedUpstream({ clock: new SimulatedClock(OPEN) })
    expect(await upstream.fetchBars('ZZZZ', 'minute', OPEN - 60 * MINUTE_MS, OPEN)).toEqual([])
    expect(await upstream.fetchBars('AAPL', 'minute', OPEN, OPEN - MINUTE_MS)).toEqual([])
    const snaps = await upstream.fetchSnapshots(['AAPL', 'ZZZZ', 'MSFT', 'AAPL'])
    expect([...snaps.keys()]).toEqual(['AAPL', 'MSFT'])
    expect(snaps.get('MSFT')).toEqual(snapshotAt('MSFT', OPEN))
    expect(await upstream.lookupTicker('AAPL')).toBe(true)
    expect(await upstream.lookupTicker('ZZZZ')).toBe(false)
  })

  it('reports ok health, no budget, and counts every call', async () => {
    const upstream = new SimulatedUpstream({ clock: new SimulatedClock(OPEN) })
    expect(upstream.name).toBe('simulated')
    await upstream.fetchBars('AAPL', 'minute', OPEN - MINUTE_MS, OPEN)
    await upstream.fetchSnapshots(['AAPL'])
    await upstream.lookupTicker('AAPL')
    expect(upstream.status()).toEqual({
      name: 'simulated',
      health: 'ok',
      budget: { limitPerMinute: null, remaining: null, resetsAt: null },
      requests: 3,
    })
  })
})
