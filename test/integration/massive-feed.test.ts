/** MassiveFeed over real WebSockets against the local Massive server: the UpstreamFeed contract, handshake, trades and minute bars equal to the simulated market, failures. */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { MassiveFeed, type MassiveFeedOptions } from '../../src/adapters/massive/massive-feed.ts'
import { minuteBars, simulatedUniverse, tradesBetween } from '../../src/adapters/simulated/market.ts'
import { createSystemClock } from '../../src/adapters/clock/system-clock.ts'
import type { FeedSession, FeedStatusEvent } from '../../src/ports/upstream.ts'
import type { LiveBar, Trade } from '../../src/core/market-types.ts'
import { upstreamFeedContract } from '../contracts/upstream-feed.contract.ts'
import { createMassiveServer, type MassiveServer } from '../support/massive-server.ts'
import { waitFor as poll } from '../support/wait.ts'

/** Wednesday 2025-03-12 14:00 New York (EDT): the market is open and busy. */
const NOW = Date.UTC(2025, 2, 12, 18, 0)
const MINUTE = 60_000

let server: MassiveServer
/** The fake's market clock: tests move it, the feed pushes what happened in between. */
let market = NOW
const sessions: FeedSession[] = []

interface Seen {
  trades: Trade[]
  bars: LiveBar[]
  statuses: FeedStatusEvent[]
  closed: [number, string][]
}

function openSession(overrides: Partial<MassiveFeedOptions> = {}): { session: FeedSession; seen: Seen } {
  const seen: Seen = { trades: [], bars: [], statuses: [], closed: [] }
  const feed = new MassiveFeed({
    apiKey: server.apiKey,
    url: server.wsUrl,
    clock: createSystemClock(),
    authTimeoutMs: 2_000,
    ...overrides,
  })
  const session = feed.open({
    trades: (t) => seen.trades.push(...t),
    bars: (b) => seen.bars.push(...b),
    status: (e) => seen.statuses.push(e),
    closed: (code, reason) => seen.closed.push([code, reason]),
  })
  sessions.push(session)
  return { session, seen }
}

/** Polls a condition on the session's records or the server's (the server reports no events). */
const waitFor = (what: string, condition: () => boolean, timeoutMs = 10_000) => poll(condition, timeoutMs, what)

const channels = (seen: Seen) => seen.statuses.flatMap((s) => (s.kind === 'subscribed' ? s.channels : []))
const kinds = (seen: Seen) => seen.statuses.map((s) => s.kind)
const subscribeFrames = () => server.wsLog.filter((f) => f.kind === 'subscribe')

/** A session that is authenticated and acked for every channel of `symbols`. */
async function subscribed(symbols: string[], overrides: Partial<MassiveFeedOptions> = {}) {
  const opened = openSession(overrides)
  opened.session.subscribe(symbols)
  await waitFor('subscribe acks', () => channels(opened.seen).length === symbols.length * 2)
  return opened
}

/** Live bars as MassiveFeed maps the simulated market's minute bars (AM has no trade count: n = 0). */
function liveBars(symbol: string, from: number, to: number): LiveBar[] {
  return minuteBars(symbol, from, to, market).map((b) => ({ ...b, symbol, n: 0, e: b.t + MINUTE }))
}

beforeAll(() => {
  server = createMassiveServer({ now: () => market, feedTickMs: 10 })
})
afterEach(async () => {
  for (const session of sessions.splice(0)) session.close()
  await waitFor('feed connections to close', () => server.wsOpenConnections === 0)
  server.reset()
  market = NOW
})
afterAll(() => server.stop())

upstreamFeedContract('MassiveFeed', NOW, async () => {
  const feed = new MassiveFeed({ apiKey: server.apiKey, url: server.wsUrl, clock: createSystemClock(), authTimeoutMs: 5_000, quotes: true })
  return {
    // Sessions the contract opens are closed by the afterEach above, like this file's own.
    feed: { name: feed.name, open: (handlers) => (sessions.push(feed.open(handlers)), sessions.at(-1)!) },
    now: () => market,
    moveTo: (t) => void (market = t),
    drop: () => void server.wsDrop(),
    close: async () => {},
  }
})

describe('MassiveFeed handshake and data', () => {
  it('authenticates, sends one subscribe frame for both channels, and streams exactly the simulated trades', async () => {
    const { seen } = await subscribed(['AAPL', 'MSFT'])
    expect(kinds(seen).slice(0, 2)).toEqual(['connected', 'authenticated'])
    expect(channels(seen)).toEqual(['T.AAPL', 'AM.AAPL', 'T.MSFT', 'AM.MSFT'])
    expect(subscribeFrames().map((f) => f.params)).toEqual(['T.AAPL,AM.AAPL,T.MSFT,AM.MSFT'])
    expect(server.counts).toMatchObject({ wsConnections: 1, wsAuth: 1, wsSubscribe: 1 })

    for (const until of [NOW + 20_000, NOW + 45_000]) {
      market = until
      const expected = { AAPL: tradesBetween('AAPL', NOW, until), MSFT: tradesBetween('MSFT', NOW, until) }
      await waitFor('trades', () => seen.trades.length === expected.AAPL.length + expected.MSFT.length)
      expect(seen.trades.filter((t) => t.symbol === 'AAPL')).toEqual(expected.AAPL)
      expect(seen.trades.filter((t) => t.symbol === 'MSFT')).toEqual(expected.MSFT)
    }
    expect(seen.trades.length).toBeGreaterThan(50)
    expect(seen.trades.every((t, i) => i === 0 || t.t >= seen.trades[i - 1]!.t)).toBe(true)
  })

  it('sends one AM bar per symbol at each minute boundary, equal to the simulated minute bar', async () => {
    market = NOW + 10_000
    const { seen } = await subscribed(['AAPL', 'MSFT'])
    market = NOW + 3 * MINUTE + 1_000
    const expected = [...liveBars('AAPL', NOW, NOW + 3 * MINUTE), ...liveBars('MSFT', NOW, NOW + 3 * MINUTE)]
    expected.sort((a, b) => a.t - b.t)

    await waitFor('minute bars', () => seen.bars.length === expected.length)
    expect(seen.bars).toEqual(expected)
    expect(expected).toHaveLength(6)
    // Barrier: a later tick (its trades, in the same minute) has come; no other bar came with or before it.
    market += 1_000
    const trades = ['AAPL', 'MSFT'].reduce((n, symbol) => n + tradesBetween(symbol, NOW + 10_000, market).length, 0)
    await waitFor('a later tick', () => seen.trades.length === trades)
    expect(seen.bars).toHaveLength(6)
  })

  it('follows `*` (every ticker) with the trades of the whole simulated universe', async () => {
    const { seen } = await subscribed(['*'])
    market = NOW + 2_000
    const expected = simulatedUniverse.reduce((n, t) => n + tradesBetween(t.ticker, NOW, market).length, 0)

    await waitFor('universe trades', () => seen.trades.length === expected)
    expect(new Set(seen.trades.map((t) => t.symbol)).size).toBeGreaterThan(20)
  })

  it('packs many symbols into the fewest frames within maxParamsLength, and one turn of calls into one frame', async () => {
    server.switches.wsAckFrames = 'one-frame'
    const symbols = Array.from({ length: 1_000 }, (_, i) => simulatedUniverse[i]?.ticker ?? `ZZ${i}`)
    const { session, seen } = openSession({ maxParamsLength: 2_000 })
    for (const symbol of symbols) session.subscribe([symbol])
    await waitFor('acks for 2 000 channels', () => channels(seen).length === 2_000)

    const params = subscribeFrames().map((f) => f.params!)
    const total = params.join(',').length
    expect(params.every((p) => p.length <= 2_000)).toBe(true)
    expect(params.length).toBeLessThanOrEqual(Math.ceil(total / (2_000 - 12)))
    expect(params.join(',').split(',')).toEqual(symbols.flatMap((s) => [`T.${s}`, `AM.${s}`]))
    // One-frame acks: one `subscribed` event per subscribe frame.
    expect(seen.statuses.filter((s) => s.kind === 'subscribed')).toHaveLength(params.length)

    for (const symbol of ['XA', 'XB', 'XC', 'AAPL']) session.subscribe([symbol])
    await waitFor('the next frame', () => subscribeFrames().length === params.length + 1)
    expect(subscribeFrames().at(-1)!.params).toBe('T.XA,AM.XA,T.XB,AM.XB,T.XC,AM.XC')
  })

  it('stops trades and bars of a symbol after unsubscribe', async () => {
    const { session, seen } = await subscribed(['AAPL', 'MSFT'])
    market = NOW + 10_000
    const first = tradesBetween('AAPL', NOW, market).length + tradesBetween('MSFT', NOW, market).length
    await waitFor('first trades', () => seen.trades.length === first)

    session.unsubscribe(['MSFT'])
    await waitFor('the unsubscribe frame', () => server.counts.wsUnsubscribe === 1)
    market = NOW + MINUTE + 5_000
    const aapl = tradesBetween('AAPL', NOW, market)
    await waitFor(
      'AAPL trades and bar',
      () => seen.trades.filter((t) => t.symbol === 'AAPL').length === aapl.length && seen.bars.length === 1,
    )
    // Barrier: a later tick's AAPL trades have come; MSFT events would have come with these or before.
    market += 1_000
    const later = tradesBetween('AAPL', NOW, market)
    await waitFor('a later tick', () => seen.trades.filter((t) => t.symbol === 'AAPL').length === later.length)

    expect(server.wsLog.find((f) => f.kind === 'unsubscribe')!.params).toBe('T.MSFT,AM.MSFT')
    expect(seen.trades.filter((t) => t.symbol === 'MSFT')).toEqual(tradesBetween('MSFT', NOW, NOW + 10_000))
    expect(seen.bars).toEqual(liveBars('AAPL', NOW, NOW + MINUTE))
  })

  it('delivers a provider correction of a sent minute bar as a LiveBar with the same t and the new values', async () => {
    const { seen } = await subscribed(['AAPL'])
    market = NOW + MINUTE + 1_000
    await waitFor('the first bar', () => seen.bars.length === 1)
    const sent = seen.bars[0]!
    const patch = { h: sent.h + 1, c: sent.c + 0.5, v: sent.v + 300 }

    expect(server.wsResendBar('AAPL', NOW, patch)).toBe(1)
    await waitFor('the corrected bar', () => seen.bars.length === 2)
    expect(seen.bars[1]).toEqual({ ...sent, ...patch })
  })

  it('reports malformed frames and events as errors, keeps the good events in order, and stays open', async () => {
    const { seen } = await subscribed(['AAPL'])
    const trade = { ev: 'T', sym: 'AAPL', p: 1.5, s: 100, t: NOW + 1, q: 7 }
    server.wsSendRaw('this is not json')
    server.wsSendRaw(JSON.stringify({ ev: 'T', sym: 'AAPL' }))
    server.wsSendRaw(JSON.stringify([trade, { ev: 'AM', sym: 'AAPL' }, { ...trade, q: 8 }]))
    server.wsSendRaw(JSON.stringify({ ev: 'status', status: 'success', message: 'subscribed to: T.XYZ' }))
    await waitFor('the last frame', () => channels(seen).includes('T.XYZ'))

    expect(seen.statuses.filter((s) => s.kind === 'error')).toHaveLength(3)
    expect(seen.trades).toEqual([
      { symbol: 'AAPL', p: 1.5, s: 100, t: NOW + 1, q: 7 },
      { symbol: 'AAPL', p: 1.5, s: 100, t: NOW + 1, q: 8 },
    ])
    expect(seen.closed).toEqual([])
  })
})

describe('MassiveFeed failures', () => {
  it('reports auth_failed and the provider close (1008), once', async () => {
    server.switches.wsRefuseAuth = true
    const { session, seen } = openSession()
    session.subscribe(['AAPL'])
    await waitFor('closed', () => seen.closed.length === 1)

    expect(seen.statuses).toEqual([{ kind: 'connected' }, { kind: 'auth_failed', message: 'authentication failed' }])
    expect(seen.closed).toEqual([[1008, 'authentication failed']])
    expect(server.counts.wsSubscribe).toBe(0)
  })

  it('closes itself (4002) when the provider sends auth_failed for a wrong key but keeps the socket open', async () => {
    server.switches.wsAuthFailedCloseCode = null
    const { seen } = openSession({ apiKey: 'wrong-key', disconnectGraceMs: 50 })
    await waitFor('closed', () => seen.closed.length === 1)

    expect(kinds(seen)).toEqual(['connected', 'auth_failed'])
    expect(seen.closed).toEqual([[4002, 'provider sent auth_failed']])
  })

  it('reports an auth timeout (no answer to auth) and closes with 4000', async () => {
    server.switches.wsIgnoreAuth = true
    const { seen } = openSession({ authTimeoutMs: 100 })
    await waitFor('closed', () => seen.closed.length === 1)

    expect(seen.statuses).toEqual([{ kind: 'connected' }, { kind: 'error', message: 'no auth_success within 100 ms' }])
    expect(seen.closed).toEqual([[4000, 'auth timeout']])
    expect(server.counts.wsAuth).toBe(1)
  })

  it('reports max_connections and then the 1008 close', async () => {
    const { seen } = await subscribed(['AAPL'])
    expect(server.wsMaxConnections()).toBe(1)
    await waitFor('closed', () => seen.closed.length === 1)

    expect(seen.statuses.at(-1)).toMatchObject({ kind: 'max_connections' })
    expect(seen.closed[0]![0]).toBe(1008)
  })

  it('with a connection limit of one, a second connection evicts the oldest', async () => {
    server.switches.wsConnectionLimit = 1
    const first = await subscribed(['AAPL'])
    const second = await subscribed(['MSFT'])
    await waitFor('the first to close', () => first.seen.closed.length === 1)

    expect(kinds(first.seen)).toContain('max_connections')
    expect(first.seen.closed[0]![0]).toBe(1008)
    expect(second.seen.closed).toEqual([])
  })

  it('reports a dropped connection through closed() exactly once; a new session resubscribes', async () => {
    const { session, seen } = await subscribed(['AAPL', 'MSFT'])
    expect(server.wsDrop()).toBe(1)
    await waitFor('closed', () => seen.closed.length === 1)
    session.close()

    // What the UpstreamActor does next: open a new session and subscribe again (and a barrier: the old one had time to misbehave).
    const again = await subscribed(['AAPL', 'MSFT'])
    expect(seen.closed).toEqual([[1006, 'connection lost']])
    expect(server.counts).toMatchObject({ wsConnections: 2, wsAuth: 2, wsSubscribe: 2 })
    const [before, after] = subscribeFrames()
    expect([before!.params, after!.params]).toEqual(['T.AAPL,AM.AAPL,T.MSFT,AM.MSFT', 'T.AAPL,AM.AAPL,T.MSFT,AM.MSFT'])
    expect(after!.connection).not.toBe(before!.connection)
    expect(again.seen.closed).toEqual([])
  })

  it('stays open and silent while the feed stalls (pings still answered), then resumes after a gap', async () => {
    let pongs = 0
    /** The feed's WebSocket, counting the pongs that answer its pings. */
    class CountingWebSocket extends WebSocket {
      constructor(url: string) {
        super(url)
        this.addEventListener('pong' as 'open', () => void pongs++)
      }
    }
    const { seen } = await subscribed(['AAPL'], { pingIntervalMs: 40, WebSocketImpl: CountingWebSocket as never })
    server.switches.wsStall = true
    market = NOW + 30_000
    // Five ping intervals answered while stalled; two silent ones would have closed it (4001).
    const stalledAt = pongs
    await waitFor('five pings answered while stalled', () => pongs >= stalledAt + 5)

    expect(seen.trades).toEqual([])
    expect(seen.closed).toEqual([])
    expect(server.wsOpenConnections).toBe(1)

    server.switches.wsStall = false
    market = NOW + 40_000
    const resumed = tradesBetween('AAPL', NOW + 30_000, market)
    await waitFor('trades after the stall', () => seen.trades.length === resumed.length)
    expect(seen.trades).toEqual(resumed)
  })

  it('turns force_disconnect into a status and the provider close', async () => {
    const { seen } = await subscribed(['AAPL'])
    server.wsSendStatus('force_disconnect', 'forced', 1008)
    await waitFor('closed', () => seen.closed.length === 1)

    expect(seen.statuses.at(-1)).toEqual({ kind: 'force_disconnect', message: 'forced' })
    expect(seen.closed[0]![0]).toBe(1008)
  })

  it('close() ends the session with 1000 once and the server sees the close', async () => {
    const { session, seen } = await subscribed(['AAPL'])
    session.close()
    session.close()
    await waitFor('closed', () => seen.closed.length === 1)
    await waitFor('the server side', () => server.wsOpenConnections === 0)

    expect(seen.closed).toEqual([[1000, 'client closed']])
    expect(server.wsLog.at(-1)).toMatchObject({ kind: 'close', code: 1000 })
  })
})
