/** MassiveFeed sessions over a scripted socket and a simulated clock: handshake, netted subscriptions, timers, a single `closed`. */

import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../memory/simulated-clock.ts'
import type { FeedHandlers, FeedStatusEvent } from '../../ports/upstream.ts'
import type { LiveBar, Trade } from '../../core/market-types.ts'
import { FEED_CLOSE, MassiveFeed, type FeedSocket, type MassiveFeedOptions } from './massive-feed.ts'

/** A socket the test drives: it records what the session sends and lets the test play the server. */
class ScriptedSocket implements FeedSocket {
  static last: ScriptedSocket
  sent: string[] = []
  pings = 0
  closedWith: [number | undefined, string | undefined] | null = null
  private listeners = new Map<string, ((event: any) => void)[]>()
  constructor(readonly url: string) {
    ScriptedSocket.last = this
  }
  send(data: string): void {
    this.sent.push(data)
  }
  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason]
  }
  ping(): void {
    this.pings++
  }
  addEventListener(type: string, listener: (event: any) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  fire(type: string, event: object = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }
  serverSends(...events: object[]): void {
    this.fire('message', { data: JSON.stringify(events) })
  }
  status(status: string, message = ''): void {
    this.serverSends({ ev: 'status', status, message })
  }
  /** Frames the session sent, parsed. */
  frames(): { action: string; params: string }[] {
    return this.sent.map((f) => JSON.parse(f))
  }
}

function setup(overrides: Partial<MassiveFeedOptions> = {}, handlerOverrides: Partial<FeedHandlers> = {}) {
  const clock = new SimulatedClock(1_000_000)
  const seen = {
    trades: [] as Trade[],
    bars: [] as LiveBar[],
    statuses: [] as FeedStatusEvent[],
    closed: [] as [number, string][],
  }
  const handlers: FeedHandlers = {
    trades: (t) => seen.trades.push(...t),
    bars: (b) => seen.bars.push(...b),
    status: (e) => seen.statuses.push(e),
    closed: (code, reason) => seen.closed.push([code, reason]),
    ...handlerOverrides,
  }
  const feed = new MassiveFeed({
    apiKey: 'k',
    url: 'wss://socket.example/stocks',
    clock,
    authTimeoutMs: 5_000,
    WebSocketImpl: ScriptedSocket,
    ...overrides,
  })
  const session = feed.open(handlers)
  return { clock, seen, session, socket: ScriptedSocket.last }
}

/** Opens and authenticates a scripted session. */
function authenticated(overrides: Partial<MassiveFeedOptions> = {}, handlerOverrides: Partial<FeedHandlers> = {}) {
  const s = setup(overrides, handlerOverrides)
  s.socket.fire('open')
  s.socket.status('connected', 'Connected Successfully')
  s.socket.status('auth_success', 'authenticated')
  return s
}

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve))

describe('MassiveFeed session', () => {
  it('sends auth on `connected`, then the netted calls made before auth in one frame', async () => {
    const { socket, session, seen } = setup()
    session.subscribe(['AAPL', 'MSFT', 'IBM'])
    session.unsubscribe(['MSFT'])
    session.subscribe(['NVDA'])
    socket.fire('open')
    expect(socket.sent).toEqual([])

    socket.status('connected')
    expect(socket.frames()).toEqual([{ action: 'auth', params: 'k' }])
    socket.status('auth_success')

    expect(socket.frames().slice(1)).toEqual([
      { action: 'subscribe', params: 'T.AAPL,AM.AAPL,T.IBM,AM.IBM,T.NVDA,AM.NVDA' },
    ])
    expect(seen.statuses).toEqual([{ kind: 'connected' }, { kind: 'authenticated' }])
  })

  it('batches calls made in one turn after auth, skips what is already subscribed, and unsubscribes first', async () => {
    const { socket, session } = authenticated()
    for (const symbol of ['A', 'B', 'C']) session.subscribe([symbol])
    await tick()
    session.subscribe(['A', 'D'])
    session.unsubscribe(['B'])
    await tick()

    expect(socket.frames().slice(1)).toEqual([
      { action: 'subscribe', params: 'T.A,AM.A,T.B,AM.B,T.C,AM.C' },
      { action: 'unsubscribe', params: 'T.B,AM.B' },
      { action: 'subscribe', params: 'T.D,AM.D' },
    ])
  })

  it('sends auth at open with authOnOpen, and accepts the spec`s `success` connect event', () => {
    const { socket } = setup({ authOnOpen: true })
    socket.fire('open')
    socket.status('success', 'Connected Successfully')
    expect(socket.frames()).toEqual([{ action: 'auth', params: 'k' }])
  })

  it('rejects unusable symbols with an error status', async () => {
    const { socket, session, seen } = authenticated()
    session.subscribe(['', 'A,B', 'OK'])
    await tick()
    expect(seen.statuses.filter((s) => s.kind === 'error')).toHaveLength(2)
    expect(socket.frames().at(-1)).toEqual({ action: 'subscribe', params: 'T.OK,AM.OK' })
  })

  it('closes with 4000 when auth_success does not come in time, reporting an error first', () => {
    const { socket, clock, seen } = setup({ authTimeoutMs: 300 })
    socket.fire('open')
    socket.status('connected')
    clock.advance(299)
    expect(seen.closed).toEqual([])
    clock.advance(1)

    expect(seen.statuses.at(-1)).toMatchObject({ kind: 'error' })
    expect(socket.closedWith).toEqual([FEED_CLOSE.authTimeout, 'auth timeout'])
    socket.fire('close', { code: 1005, reason: '' })
    expect(seen.closed).toEqual([[FEED_CLOSE.authTimeout, 'auth timeout']])
  })

  it('pings while traffic flows and closes with 4001 after two silent intervals', () => {
    const { socket, clock, seen } = authenticated({ pingIntervalMs: 1_000 })
    clock.advance(1_000)
    socket.fire('pong')
    clock.advance(1_000)
    expect(socket.pings).toBe(2)
    clock.advance(2_000)

    expect(socket.closedWith?.[0]).toBe(FEED_CLOSE.noTraffic)
    clock.advance(2_000) // the transport never confirms: closeTimeoutMs reports anyway
    expect(seen.closed).toEqual([[FEED_CLOSE.noTraffic, 'no traffic for 2000 ms']])
  })

  it('after a disconnect status lets the provider close, and closes itself (4002) if it does not', () => {
    const a = authenticated()
    a.socket.status('max_connections', 'Maximum number of connections exceeded.')
    a.socket.fire('close', { code: 1008, reason: '' })
    expect(a.seen.closed).toEqual([[1008, '']])
    expect(a.seen.statuses.at(-1)).toEqual({
      kind: 'max_connections',
      message: 'Maximum number of connections exceeded.',
    })

    const b = authenticated({ disconnectGraceMs: 500 })
    b.socket.status('force_disconnect', 'bye')
    b.clock.advance(500)
    expect(b.socket.closedWith).toEqual([FEED_CLOSE.providerDisconnect, 'provider sent force_disconnect'])
    b.socket.fire('close', { code: 4002, reason: '' })
    expect(b.seen.closed).toEqual([[FEED_CLOSE.providerDisconnect, 'provider sent force_disconnect']])
  })

  it('reports `closed` exactly once, with the transport error on an abnormal close, and nothing after it', () => {
    const { socket, session, seen, clock } = authenticated()
    socket.fire('error', { message: 'ECONNRESET' })
    socket.fire('close', { code: 1006, reason: '' })
    socket.fire('close', { code: 1006, reason: '' })
    session.close()
    clock.advance(10_000)
    socket.serverSends({ ev: 'T', sym: 'A', p: 1, s: 1, t: 1, q: 1 })

    expect(seen.closed).toEqual([[1006, 'ECONNRESET']])
    expect(seen.trades).toEqual([])
  })

  it('close() reports 1000 once the transport confirms and drops frames that arrive meanwhile', () => {
    const { socket, session, seen } = authenticated()
    session.close()
    socket.serverSends({ ev: 'T', sym: 'A', p: 1, s: 1, t: 1, q: 1 })
    expect(seen.closed).toEqual([])
    socket.fire('close', { code: 1000, reason: '' })

    expect(socket.closedWith).toEqual([1000, 'client closed'])
    expect(seen.closed).toEqual([[1000, 'client closed']])
    expect(seen.trades).toEqual([])
  })

  it('survives a throwing handler: reports it as an error status and keeps delivering', () => {
    let calls = 0
    const throwing = () => {
      calls++
      throw new Error('boom')
    }
    const { socket, seen } = authenticated({}, { trades: throwing })
    socket.serverSends({ ev: 'T', sym: 'A', p: 1, s: 1, t: 1, q: 1 })
    socket.serverSends({ ev: 'T', sym: 'A', p: 1, s: 1, t: 2, q: 2 })

    expect(calls).toBe(2)
    expect(seen.statuses.filter((s) => s.kind === 'error')).toEqual([
      { kind: 'error', message: 'feed handler threw: boom' },
      { kind: 'error', message: 'feed handler threw: boom' },
    ])
  })

  it('reports a socket that cannot be built as closed(1006) after open() returns', async () => {
    class Refusing {
      constructor() {
        throw new Error('bad host')
      }
    }
    const { seen } = setup({ WebSocketImpl: Refusing as never })
    expect(seen.closed).toEqual([])
    await tick()
    expect(seen.closed).toEqual([[1006, 'connect failed: bad host']])
  })

  it('validates its options at construction', () => {
    const base = { apiKey: 'k', url: 'wss://x/stocks', clock: new SimulatedClock(), authTimeoutMs: 1 }
    expect(() => new MassiveFeed({ ...base, apiKey: '' })).toThrow(RangeError)
    expect(() => new MassiveFeed({ ...base, url: 'https://x/stocks' })).toThrow(RangeError)
    expect(() => new MassiveFeed({ ...base, authTimeoutMs: 0 })).toThrow(RangeError)
    expect(() => new MassiveFeed({ ...base, pingIntervalMs: -1 })).toThrow(RangeError)
  })
})
