import { describe, expect, it } from 'bun:test'
import { createSilentLog } from '../../test/support/silent-log'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import type { FeedHandlers, FeedSession, UpstreamFeed } from '../ports/upstream'
import { UpstreamActor, type UpstreamReport } from './upstream-actor'

class FakeSession implements FeedSession {
  subscribes: string[][] = []
  unsubscribes: string[][] = []
  /** Every subscribe/unsubscribe call of either kind, in order (`Q+` and `Q-` for quotes). */
  calls: string[] = []
  closedByClient = false
  constructor(readonly handlers: FeedHandlers) {}
  subscribe(s: string[]) {
    this.subscribes.push([...s])
    this.calls.push(`+${s}`)
  }
  unsubscribe(s: string[]) {
    this.unsubscribes.push([...s])
    this.calls.push(`-${s}`)
  }
  subscribeQuotes(s: string[]) {
    this.calls.push(`Q+${s}`)
  }
  unsubscribeQuotes(s: string[]) {
    this.calls.push(`Q-${s}`)
  }
  close() {
    this.closedByClient = true
    this.handlers.closed(1000, 'client')
  }
  auth() {
    this.handlers.status({ kind: 'connected' })
    this.handlers.status({ kind: 'authenticated' })
  }
  drop(code = 1006, reason = '') {
    this.handlers.closed(code, reason)
  }
}

class FakeFeed implements UpstreamFeed {
  readonly name = 'massive' as const
  sessions: FakeSession[] = []
  open(handlers: FeedHandlers) {
    const s = new FakeSession(handlers)
    this.sessions.push(s)
    return s
  }
  get last() {
    return this.sessions.at(-1)!
  }
}

function setup(random = () => 0.999999) {
  const clock = new SimulatedClock(0)
  const feed = new FakeFeed()
  let wanted = ['AAPL', 'MSFT']
  let quoted: string[] = []
  const sink = { trades: [] as unknown[], bars: [] as unknown[], lost: 0 }
  const reports: UpstreamReport[] = []
  const actor = new UpstreamActor({
    feed,
    clock,
    log: createSilentLog(),
    wanted: () => wanted,
    wantedQuotes: () => quoted,
    random,
    sink: { trades: (t) => sink.trades.push(t), bars: (b) => sink.bars.push(b), continuityLost: () => sink.lost++ },
  })
  actor.onReport((r) => reports.push(r))
  return { clock, feed, actor, sink, reports, setWanted: (w: string[]) => (wanted = w), setQuoted: (q: string[]) => (quoted = q) }
}

describe('UpstreamActor', () => {
  it('should open a session when holding and subscribe the wanted union once authenticated', () => {
    const { feed, actor, reports } = setup()
    expect(feed.sessions).toHaveLength(0)
    actor.hold(true)
    expect(actor.report().state).toBe('connecting')
    feed.last.auth()
    expect(feed.last.subscribes).toEqual([['AAPL', 'MSFT']])
    expect(reports.map((r) => r.state)).toEqual(['connecting', 'connected'])
  })

  it('should batch wanted changes within 50 ms into one subscribe and one unsubscribe', () => {
    const { clock, feed, actor, setWanted } = setup()
    actor.hold(true)
    feed.last.auth()
    setWanted(['AAPL', 'NVDA'])
    actor.wantedChanged()
    clock.advance(20)
    setWanted(['AAPL', 'NVDA', 'TSLA'])
    actor.wantedChanged()
    clock.advance(29)
    expect(feed.last.subscribes).toHaveLength(1)
    clock.advance(1)
    expect(feed.last.subscribes).toEqual([
      ['AAPL', 'MSFT'],
      ['NVDA', 'TSLA'],
    ])
    expect(feed.last.unsubscribes).toEqual([['MSFT']])
  })

  it('should subscribe quotes only for wanted symbols whose quotes are wanted: after their trades, dropped before them, again on a new session', () => {
    const { clock, feed, actor, setWanted, setQuoted } = setup()
    setQuoted(['MSFT', 'TSLA']) // TSLA is not wanted: no quotes for it
    actor.hold(true)
    feed.last.auth()
    expect(feed.last.calls).toEqual(['+AAPL,MSFT', 'Q+MSFT'])
    setWanted(['AAPL', 'NVDA'])
    setQuoted(['NVDA'])
    actor.wantedChanged()
    clock.advance(50)
    expect(feed.last.calls.slice(2)).toEqual(['Q-MSFT', '+NVDA', '-MSFT', 'Q+NVDA'])
    setQuoted([])
    actor.wantedChanged()
    clock.advance(50)
    expect(feed.last.calls.slice(6)).toEqual(['Q-NVDA'])
    setQuoted(['AAPL'])
    feed.last.drop(1006, 'network')
    clock.advance(500)
    feed.last.auth()
    expect(feed.last.calls).toEqual(['+AAPL,NVDA', 'Q+AAPL'])
  })

  it('should reconnect after a close with backoff, resubscribe everything and report the lost continuity', () => {
    const { clock, feed, actor, sink, setWanted } = setup()
    actor.hold(true)
    feed.last.auth()
    feed.last.drop(1006, 'network')
    expect(actor.report()).toMatchObject({ state: 'reconnecting', reason: { code: 'UPSTREAM_CLOSED' } })
    setWanted(['AAPL', 'MSFT', 'NVDA'])
    clock.advance(499)
    expect(feed.sessions).toHaveLength(1)
    clock.advance(1)
    expect(feed.sessions).toHaveLength(2)
    feed.last.auth()
    expect(feed.last.subscribes).toEqual([['AAPL', 'MSFT', 'NVDA']])
    expect(sink.lost).toBe(1)
    expect(actor.report().state).toBe('connected')
  })

  it('should not reset the backoff on a mere successful auth, so an eviction loop slows down', () => {
    const { clock, feed, actor } = setup()
    actor.hold(true)
    const opensAt: number[] = []
    for (let i = 0; i < 6; i++) {
      opensAt.push(clock.now())
      feed.last.auth()
      feed.last.handlers.status({ kind: 'max_connections', message: 'Maximum number of connections exceeded.' })
      feed.last.drop(1008, 'max connections')
      const before = feed.sessions.length
      while (feed.sessions.length === before) clock.advance(10)
    }
    const gaps = opensAt.slice(1).map((t, i) => t - opensAt[i])
    expect(gaps).toEqual([500, 1000, 2000, 4000, 8000])
    expect(actor.report().reason?.code).toBe('UPSTREAM_MAX_CONNECTIONS')
  })

  it('should reset the backoff after a session stayed healthy for 30 s', () => {
    const { clock, feed, actor } = setup()
    actor.hold(true)
    for (let i = 0; i < 3; i++) {
      feed.last.auth()
      feed.last.drop()
      clock.advance(5000)
    }
    expect(actor.report().attempt).toBe(3)
    feed.last.auth()
    clock.advance(30_000)
    feed.last.drop()
    expect(actor.report().attempt).toBe(1)
    const n = feed.sessions.length
    clock.advance(500)
    expect(feed.sessions).toHaveLength(n + 1)
  })

  it('should report a failed state after auth_failed and wait long before trying again', () => {
    const { clock, feed, actor } = setup()
    actor.hold(true)
    feed.last.handlers.status({ kind: 'auth_failed', message: 'authentication failed' })
    expect(feed.last.closedByClient).toBe(true)
    expect(actor.report()).toMatchObject({ state: 'failed', reason: { code: 'UPSTREAM_AUTH_FAILED' } })
    clock.advance(59_999)
    expect(feed.sessions).toHaveLength(1)
    clock.advance(1)
    expect(feed.sessions).toHaveLength(2)
    feed.last.auth()
    expect(actor.report()).toMatchObject({ state: 'connected', reason: undefined })
  })

  it('should close the session and stay idle when it stops holding', () => {
    const { clock, feed, actor, sink } = setup()
    actor.hold(true)
    feed.last.auth()
    const old = feed.last
    actor.hold(false)
    expect(old.closedByClient).toBe(true)
    expect(actor.report().state).toBe('idle')
    old.handlers.trades([{ symbol: 'AAPL', p: 1, s: 1, t: 0, q: 0 }])
    clock.advance(120_000)
    expect(feed.sessions).toHaveLength(1)
    expect(sink.trades).toHaveLength(0)
  })
})
