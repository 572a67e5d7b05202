import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../memory/simulated-clock'
import type { FeedStatusEvent } from '../../ports/upstream'
import type { LiveBar, Trade } from '../../core/market-types'
import { minuteBars, tradesBetween } from './market'
import { SimulatedFeed } from './simulated-feed'

const start = Date.UTC(2025, 2, 12, 14, 59, 20)

function setup() {
  const clock = new SimulatedClock(start)
  const feed = new SimulatedFeed({ clock, random: () => 0.5 })
  const events: (['trade', Trade] | ['bar', LiveBar])[] = []
  const statuses: FeedStatusEvent[] = []
  const closes: [number, string][] = []
  const session = feed.open({
    trades: (ts) => ts.forEach((t) => events.push(['trade', t])),
    bars: (bs) => bs.forEach((b) => events.push(['bar', b])),
    status: (s) => statuses.push(s),
    closed: (code, reason) => closes.push([code, reason]),
  })
  return { clock, feed, session, events, statuses, closes }
}

describe('SimulatedFeed', () => {
  it('should authenticate asynchronously and subscribe what was asked before that once authenticated (as MassiveFeed does)', () => {
    const { clock, session, statuses, feed } = setup()
    session.subscribe(['AAPL', 'MSFT'])
    session.unsubscribe(['MSFT'])
    expect(statuses).toEqual([])
    expect(feed.subscribedSymbols()).toEqual([])
    clock.advance(0)
    expect(statuses.map((s) => s.kind)).toEqual(['connected', 'authenticated', 'subscribed'])
    expect(statuses[2]).toEqual({ kind: 'subscribed', channels: ['T.AAPL', 'AM.AAPL'] })
    expect(feed.subscribedSymbols()).toEqual(['AAPL'])
  })

  it("should emit exactly the market's trades since subscribing, each minute's bar right after its last trade", () => {
    const { clock, session, events } = setup()
    clock.advance(0)
    const from = clock.now()
    session.subscribe(['AAPL', 'NOPE'])
    clock.advance(150_000)
    const trades = events.filter((e) => e[0] === 'trade').map((e) => e[1] as Trade)
    const lastEmitted = trades.at(-1)!.t
    expect(trades).toEqual(tradesBetween('AAPL', from, lastEmitted + 1))
    const bars = events.filter((e) => e[0] === 'bar').map((e) => e[1] as LiveBar)
    const minutes = [Date.UTC(2025, 2, 12, 14, 59), Date.UTC(2025, 2, 12, 15, 0)]
    expect(bars.map(({ symbol, e, ...bar }) => bar)).toEqual(minutes.map((m) => minuteBars('AAPL', m, m + 60_000, m + 60_000)[0]))
    for (const bar of bars) {
      const at = events.findIndex((e) => e[1] === bar)
      expect(events.slice(0, at).every((e) => e[0] === 'bar' || e[1].t < bar.e)).toBe(true)
      expect(events.slice(at + 1).every((e) => e[1].t >= bar.e || e[0] === 'bar')).toBe(true)
    }
  })

  it('should stop emitting an unsubscribed symbol', () => {
    const { clock, session, events } = setup()
    clock.advance(0)
    session.subscribe(['AAPL'])
    clock.advance(5000)
    session.unsubscribe(['AAPL'])
    const n = events.length
    clock.advance(120_000)
    expect(events).toHaveLength(n)
  })

  it('should report closed exactly once, on close or on a simulated network failure', () => {
    const a = setup()
    a.clock.advance(0)
    a.session.close()
    a.session.close()
    expect(a.closes).toEqual([[1000, 'closed by client']])
    const b = setup()
    b.clock.advance(0)
    b.session.subscribe(['AAPL'])
    b.feed.disconnect()
    b.clock.advance(60_000)
    expect(b.closes).toEqual([[1006, 'simulated network failure']])
    expect(b.events.length).toBe(0)
  })
})
