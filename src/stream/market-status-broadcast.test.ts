/** MarketStatusBroadcast on a simulated clock: one publish per session change, a late timer never doubles a welcome, provider changes published once. */
import { describe, expect, it } from 'bun:test'
import { exchangeCalendar, usEquityCalendar, type ExchangeCalendar } from '../core/calendar'
import { marketStatusAt } from '../core/market-status'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import type { Clock } from '../ports/clock'
import { MarketStatusBroadcast, liveTopic, type MarketStatusSource } from './market-status-broadcast'

const closeAt = Date.parse('2026-12-08T16:00:00-05:00')

function setup(start: number) {
  const timers = new SimulatedClock(start)
  /** How far the time read runs ahead of the timers (a busy event loop runs timers late). */
  let timersLateBy = 0
  const clock: Clock & { advance(ms: number): void } = {
    now: () => timers.now() + timersLateBy,
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms - timersLateBy),
    clearTimeout: (handle) => timers.clearTimeout(handle),
    advance: (ms) => timers.advance(ms),
  }
  const runTimersLate = (ms: number) => (timersLateBy = ms)
  let calendar: ExchangeCalendar = usEquityCalendar
  const listeners = new Set<() => void>()
  const source: MarketStatusSource = {
    view: () => marketStatusAt(calendar, clock.now()),
    nextChangeAt: () => calendar.sessionAt(clock.now()).until,
    onChange: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
  }
  const published: { topic: string; market: string }[] = []
  const broadcast = new MarketStatusBroadcast(source, clock, (topic, payload) =>
    published.push({ topic, market: JSON.parse(payload).data.market }),
  )
  const member = () => {
    const got: string[] = []
    return {
      got,
      topics: [] as string[],
      reply(type: 'market_status', data: object) {
        got.push(`${type}:${(data as { market: string }).market}`)
      },
      subscribeTopic(topic: string) {
        this.topics.push(topic)
      },
    }
  }
  const setCalendar = (next: ExchangeCalendar) => {
    calendar = next
    for (const fn of listeners) fn()
  }
  return { clock, broadcast, published, member, setCalendar, runTimersLate }
}

describe('MarketStatusBroadcast', () => {
  it('publishes once at each session change, not between', () => {
    const { clock, broadcast, published } = setup(closeAt - 60_000)
    broadcast.start()
    clock.advance(59_999)
    expect(published).toEqual([])
    clock.advance(1)
    expect(published).toEqual([{ topic: liveTopic, market: 'post' }])
    clock.advance(4 * 3_600_000) // 20:00: post-market ends
    expect(published.map((p) => p.market)).toEqual(['post', 'closed'])
    clock.advance(3 * 86_400_000) // Wednesday 04:00 and later: pre, open, post, closed, pre…
    expect(published.map((p) => p.market).slice(0, 6)).toEqual(['post', 'closed', 'pre', 'open', 'post', 'closed'])
    broadcast.stop()
    const count = published.length
    clock.advance(86_400_000)
    expect(published).toHaveLength(count)
  })

  it('welcomes with the status now and subscribes; a welcome after a late timer publishes the change to the others first, once', () => {
    const { clock, broadcast, published, member, runTimersLate } = setup(closeAt - 1_000)
    broadcast.start()
    const early = member()
    broadcast.welcome(early)
    expect(early.got).toEqual(['market_status:open'])
    expect(early.topics).toEqual([liveTopic])
    // The time passes 16:00 but the timer has not run yet (as a busy event loop would do).
    runTimersLate(1_005)
    const late = member()
    broadcast.welcome(late)
    expect(late.got).toEqual(['market_status:post'])
    expect(published.map((p) => p.market)).toEqual(['post'])
    clock.advance(1_000) // the late timer runs: nothing new to say
    expect(published.map((p) => p.market)).toEqual(['post'])
  })

  it('publishes a change the provider made to the calendar (an unscheduled closure), once', () => {
    const { clock, broadcast, published, setCalendar } = setup(closeAt - 3 * 3_600_000)
    broadcast.start()
    setCalendar(exchangeCalendar([{ date: '2026-12-08', name: 'Unscheduled closure', status: 'closed' }]))
    expect(published.map((p) => p.market)).toEqual(['closed'])
    setCalendar(exchangeCalendar([{ date: '2026-12-08', name: 'Unscheduled closure', status: 'closed' }]))
    expect(published).toHaveLength(1)
    clock.advance(3 * 3_600_000) // the old close time passes: no session change now
    expect(published).toHaveLength(1)
  })
})
