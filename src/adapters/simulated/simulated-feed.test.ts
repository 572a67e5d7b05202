import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../memory/simulated-clock'
import type { FeedStatusEvent } from '../../ports/upstream'
import type { LiveBar, Trade } from '../../core/market-types'
import { minuteBars, simulatedMarket, tradesBetween, type MinuteTape, type SimulatedMarket } from './market'
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

  it('should compute each minute of a symbol once, however often it ticks', () => {
    const tapes: MinuteTape[] = []
    const calendar = simulatedMarket('calendar')
    const market: SimulatedMarket = { ...calendar, tape: (t) => (tapes.push(calendar.tape(t)!), tapes.at(-1)!) }
    const clock = new SimulatedClock(start)
    const events: Trade[] = []
    const session = new SimulatedFeed({ clock, random: () => 0.5, market }).open({
      trades: (ts) => events.push(...ts),
      bars: () => {},
      status: () => {},
      closed: () => {},
    })
    clock.advance(0)
    const from = clock.now()
    session.subscribe(['AAPL', 'MSFT'])
    // 150 s in ticks of 175 ms: about 860 ticks over three minutes (14:59:20 to 15:01:50).
    clock.advance(150_000)
    expect(events.length).toBeGreaterThan(100)
    expect(tapes.map((t) => t.minutesComputed)).toEqual([3, 3])
    expect(events.filter((t) => t.symbol === 'MSFT')).toEqual(tradesBetween('MSFT', from, events.at(-1)!.t + 1))
  })
})

describe('the simulated market tape', () => {
  it("should read exactly tradesBetween's trades and minuteBars' bars, minute by minute", () => {
    for (const hours of ['calendar', 'always'] as const) {
      const market = simulatedMarket(hours)
      for (const ticker of ['AAPL', 'UBER', 'SNOW']) {
        const tape = market.tape(ticker)!
        // A regular session, a night (always) and a quiet pre-market minute.
        for (const minuteStart of [Date.UTC(2025, 2, 12, 15, 3), Date.UTC(2025, 2, 13, 3, 0), Date.UTC(2025, 2, 12, 9, 1)]) {
          const cuts = [0, 1, 7_000, 7_001, 30_000, 59_999, 60_000].map((ms) => minuteStart + ms)
          const read = cuts.slice(1).flatMap((to, i) => tape.between(cuts[i]!, to))
          expect(read).toEqual(market.tradesBetween(ticker, minuteStart, minuteStart + 60_000))
          expect(tape.barOf(minuteStart)).toEqual(market.minuteBars(ticker, minuteStart, minuteStart + 60_000, minuteStart + 60_000)[0] ?? null)
        }
      }
    }
    expect(simulatedMarket().tape('NOPE')).toBeNull()
  })
})
