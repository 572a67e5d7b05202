/** Tests of the client shell with a simulated clock, a fake WebSocket and a fake REST server: load order, backfill, polling, 45xx, watchdog. */
import { beforeEach, describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { usEquityCalendar } from '../core/calendar'
import { marketStatusAt } from '../core/market-status'
import { MarketClient } from './market-client'
import type { StreamSocket } from './stream-connection'
import type { WireBar } from './wire'

const M = 60_000
const T0 = Date.UTC(2026, 10, 20, 15, 30)

class FakeSocket implements StreamSocket {
  static all: FakeSocket[] = []
  /** The fake server's clock, which stamps every message's `ts`. */
  static serverNow = () => 0
  readyState = 0
  sent: any[] = []
  onopen: ((ev: any) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null
  onerror: ((ev: any) => void) | null = null
  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeSocket.all.push(this)
  }
  send(data: string) {
    this.sent.push(JSON.parse(data))
  }
  close() {
    this.readyState = 3
  }
  /** The server accepts: open + welcome (with `keepalive_ms` when given, as current servers send). */
  accept(heartbeatMs = 1000, keepaliveMs?: number) {
    this.readyState = 1
    const keepalive = keepaliveMs === undefined ? {} : { keepalive_ms: keepaliveMs }
    this.push({
      type: 'welcome',
      data: { user_id: 1, protocol: 'market-watch.v1', heartbeat_ms: heartbeatMs, ...keepalive, flush_ms: 100, limits: {} },
      source: 'server',
    })
  }
  push(m: object) {
    this.onmessage?.({ data: JSON.stringify({ ...m, ts: FakeSocket.serverNow() }) })
  }
  serverClose(code: number) {
    this.readyState = 3
    this.onclose?.({ code, reason: '' })
  }
}

/** A tiny REST server: watchlist [AAPL, MSFT], minute bars from `bars`, snapshots; records every path. */
function fakeRest(bars: () => WireBar[]) {
  const calls: string[] = []
  let down = false
  const fakeFetch = (async (url: string) => {
    const u = new URL(url)
    calls.push(u.pathname + u.search)
    if (down) throw new TypeError('connection refused')
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 })
    if (u.pathname.endsWith('/market-status')) return json(marketStatusAt(usEquityCalendar, T0))
    if (u.pathname === '/api/v1/watchlist') return json({ items: [{ ticker: 'AAPL' }, { ticker: 'MSFT' }], max: 50 })
    if (u.pathname.endsWith('/snapshots'))
      return json({
        results: ['AAPL', 'MSFT'].map((ticker) => ({
          ticker,
          last: 10,
          change: 0,
          change_pct: 0,
          prev_close: 10,
          updated_at: new Date(T0).toISOString(),
          source: 'REST',
        })),
        errors: [],
      })
    if (u.pathname.endsWith('/bars'))
      return json({ results: bars().filter((b) => b.t >= Number(u.searchParams.get('from'))), next_cursor: null })
    return new Response('{}', { status: 404 })
  }) as unknown as typeof globalThis.fetch
  return { fetch: fakeFetch, calls, setDown: (v: boolean) => (down = v) }
}

const bar = (t: number, c: number, n = 1): WireBar => ({
  t,
  o: 10,
  h: Math.max(10, c),
  l: Math.min(10, c),
  c,
  v: n,
  vw: 10,
  n,
})
/** Lets pending fetches and their continuations run (the simulated clock does not move). */
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
}

describe('MarketClient', () => {
  let clock: SimulatedClock
  let serverBars: WireBar[]
  let rest: ReturnType<typeof fakeRest>
  let client: MarketClient

  beforeEach(() => {
    FakeSocket.all = []
    clock = new SimulatedClock(T0)
    FakeSocket.serverNow = () => clock.now()
    serverBars = [bar(T0 - 2 * M, 11), bar(T0 - M, 12)]
    rest = fakeRest(() => serverBars)
    client = new MarketClient(
      { baseUrl: 'http://mw.test', fetch: rest.fetch, WebSocket: FakeSocket, clock, random: () => 0.5 },
      { pollingAfterMs: 10_000, snapshotPollMs: 3_000, barsPollMs: 20_000 },
    )
    client.setToken('jwt')
  })

  async function goLive(keepaliveMs?: number): Promise<FakeSocket> {
    await client.start({ symbol: 'AAPL', timespan: '1m' })
    const ws = FakeSocket.all.at(-1)!
    expect(ws.url).toBe('ws://mw.test/api/v1/market-data/stream')
    expect(ws.protocols).toEqual(['market-watch.v1', 'bearer.jwt'])
    ws.accept(1000, keepaliveMs)
    const sub = ws.sent.find((r) => r.action === 'subscribe')
    expect(sub.symbols).toEqual(['AAPL', 'MSFT'])
    ws.push({
      type: 'subscribed',
      id: sub.id,
      data: { symbols: ['AAPL', 'MSFT'], added: ['AAPL', 'MSFT'], removed: [] },
      source: 'server',
    })
    await flush()
    return ws
  }
  const barMsg = (seq: number, b: WireBar, state = 'live') => ({
    type: 'bar',
    symbol: 'AAPL',
    seq,
    epoch: 'e',
    event_ts: b.t,
    source: 'simulated',
    data: { ...b, state },
  })

  it('should keep the market status from REST on load, then the newer one of each stream market_status frame', async () => {
    const ws = await goLive()
    expect(client.status().market).toEqual(marketStatusAt(usEquityCalendar, T0))
    const later = marketStatusAt(usEquityCalendar, T0 + 6 * 3_600_000)
    ws.push({ type: 'market_status', data: later, source: 'server' })
    await flush()
    expect(client.status().market).toEqual(later)
    ws.push({ type: 'market_status', data: marketStatusAt(usEquityCalendar, T0), source: 'server' })
    await flush()
    expect(client.status().market).toEqual(later)
  })

  it('should load over REST first, then stream, and backfill once the subscription is confirmed', async () => {
    await client.start({ symbol: 'AAPL', timespan: '1m' })
    expect(rest.calls.map((c) => c.split('?')[0])).toEqual([
      '/api/v1/market-data/market-status',
      '/api/v1/watchlist',
      '/api/v1/market-data/snapshots',
      '/api/v1/market-data/bars',
    ])
    expect(FakeSocket.all).toHaveLength(1)
    const ws = FakeSocket.all[0]
    ws.accept()
    const sub = ws.sent[0]
    // A message before the backfill is held, then applied on top of it.
    serverBars = [...serverBars, bar(T0, 13, 2)]
    ws.push({
      type: 'subscribed',
      id: sub.id,
      data: { symbols: ['AAPL', 'MSFT'], added: ['AAPL', 'MSFT'], removed: [] },
      source: 'server',
    })
    ws.push(barMsg(7, bar(T0, 14, 3)))
    expect(rest.calls.at(-1)).toContain('/bars')
    expect(client.status().synced).toBe(false)
    await flush()
    expect(client.status()).toMatchObject({ state: 'live', synced: true })
    expect(client.model.chartView()!.bars.map((b) => b.c)).toEqual([11, 12, 14])
  })

  it('should backfill after a seq gap before applying later messages', async () => {
    const ws = await goLive()
    ws.push(barMsg(1, bar(T0, 13)))
    const before = rest.calls.length
    serverBars = [...serverBars, bar(T0, 15, 2), bar(T0 + M, 16)]
    ws.push(barMsg(3, bar(T0 + M, 17, 2)))
    expect(rest.calls.length).toBe(before + 1)
    await flush()
    expect(client.model.chartView()!.bars.map((b) => b.c)).toEqual([11, 12, 15, 17])
    expect(client.model.counters.gaps).toBe(1)
  })

  it('should apply the stream\'s quote and no_bar messages: bid × ask move, an empty minute keeps the sequence (no gap, no backfill)', async () => {
    const ws = await goLive()
    ws.push(barMsg(1, bar(T0, 13)))
    const quote = (seq: number, bid: number) => ({
      type: 'quote',
      symbol: 'AAPL',
      seq,
      epoch: 'e',
      event_ts: T0,
      source: 'simulated',
      data: { bid, ask: bid + 0.02, bid_size: 3, ask_size: 4, bid_exchange: 4, ask_exchange: 11, condition: null, t: T0, count: 2 },
    })
    ws.push(quote(1, 12.98))
    ws.push(quote(2, 13.01))
    const before = rest.calls.length
    ws.push({ type: 'no_bar', symbol: 'AAPL', seq: 2, epoch: 'e', event_ts: T0 + 2 * M, source: 'simulated', data: { t: T0 + M } })
    ws.push(barMsg(3, bar(T0 + 2 * M, 14)))
    await flush()
    expect(client.model.rows().find((r) => r.ticker === 'AAPL')).toMatchObject({ bid: 13.01, ask: 13.03 })
    expect(client.model.counters.gaps).toBe(0)
    expect(rest.calls.length).toBe(before)
    expect(client.model.chartView()!.bars.map((b) => b.c)).toEqual([11, 12, 13, 14])
  })

  it('should poll REST after the stream has been down for the threshold, and go live again on reconnect', async () => {
    const ws = await goLive()
    ws.serverClose(1006)
    expect(client.status().state).toBe('reconnecting')
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000)
      const latest = FakeSocket.all.at(-1)!
      if (latest !== ws && latest.readyState === 0) latest.serverClose(1006)
      await flush()
    }
    expect(client.status().state).toBe('polling')
    const polledAt = rest.calls.length
    clock.advance(3_000)
    await flush()
    expect(rest.calls.slice(polledAt).some((c) => c.includes('/snapshots'))).toBe(true)
    clock.advance(30_000)
    await flush()
    const next = FakeSocket.all.at(-1)!
    next.accept()
    const sub = next.sent.find((r) => r.action === 'subscribe')
    next.push({
      type: 'subscribed',
      id: sub.id,
      data: { symbols: ['AAPL', 'MSFT'], added: ['AAPL', 'MSFT'], removed: [] },
      source: 'server',
    })
    await flush()
    expect(client.status()).toMatchObject({ state: 'live', synced: true })
    expect(client.outages).toHaveLength(1)
    expect(client.outages[0].recoveredAt).not.toBeNull()
  })

  it('should not reconnect after 4501 and show signed_out', async () => {
    const ws = await goLive()
    ws.push({ type: 'error', data: { code: 'TOKEN_INVALID', message: 'bad token' }, source: 'server' })
    ws.serverClose(4501)
    clock.advance(120_000)
    await flush()
    expect(FakeSocket.all).toHaveLength(1)
    expect(client.status()).toMatchObject({ state: 'signed_out', reason: { code: 'TOKEN_INVALID' } })
  })

  it('should reconnect when nothing (not even a heartbeat) arrives within 2.5 heartbeats', async () => {
    const ws = await goLive()
    clock.advance(2_000)
    ws.push({ type: 'heartbeat', data: {}, source: 'server' })
    clock.advance(2_000)
    expect(client.status().state).toBe('live')
    clock.advance(600)
    expect(client.status().state).toBe('reconnecting')
    expect(ws.readyState).toBe(3)
  })

  it('should declare a silent stream lost 5.5 s after its last byte with the 2 s keepalive of welcome, and age its prices from that byte', async () => {
    const ws = await goLive(2000)
    clock.advance(2_000)
    ws.push({ type: 'heartbeat', data: {}, source: 'server' })
    const lastByte = clock.now()
    clock.advance(5_400)
    expect(client.status().state).toBe('live')
    expect(client.priceAge('AAPL')).toMatchObject({ ageMs: 5_400, stale: false, streamed: true })
    clock.advance(100)
    expect(client.status()).toMatchObject({ state: 'reconnecting', reason: { code: 'NO_HEARTBEAT' } })
    expect(clock.now() - lastByte).toBe(5_500)
    expect(ws.readyState).toBe(3)
    clock.advance(600)
    expect(client.priceAge('AAPL')).toMatchObject({ ageMs: 6_100, stale: true, streamed: false })
  })

  it('should count the browser going offline as a lost stream at once, be offline while polls fail, and live again when back', async () => {
    const ws = await goLive(2000)
    ws.push({ type: 'heartbeat', data: {}, source: 'server' })
    rest.setDown(true)
    client.offline()
    expect(client.status()).toMatchObject({ state: 'reconnecting', reason: { code: 'OFFLINE' } })
    expect(ws.readyState).toBe(3)
    // Every retry fails while the network is gone; after 10 s the client polls, and the polls fail too.
    for (let i = 0; i < 14; i++) {
      clock.advance(1_000)
      const latest = FakeSocket.all.at(-1)!
      if (latest !== ws && latest.readyState === 0) latest.serverClose(1006)
      await flush()
    }
    expect(client.status().state).toBe('offline')
    expect(client.priceAge('MSFT')).toMatchObject({ ageMs: 14_000, stale: true })
    rest.setDown(false)
    clock.advance(3_000)
    await flush()
    expect(client.status().state).toBe('polling')
    expect(client.priceAge('MSFT')).toMatchObject({ stale: false })
    rest.setDown(true)
    clock.advance(3_000)
    await flush()
    expect(client.status().state).toBe('offline')
    // The browser says the network is back: retry now, live again.
    rest.setDown(false)
    const opened = FakeSocket.all.length
    client.nudge()
    expect(FakeSocket.all.length).toBe(opened + 1)
    const back = FakeSocket.all.at(-1)!
    back.accept(20_000, 2000)
    const sub = back.sent.find((r) => r.action === 'subscribe')
    back.push({ type: 'subscribed', id: sub.id, data: { symbols: ['AAPL', 'MSFT'], added: [], removed: [] }, source: 'server' })
    await flush()
    expect(client.status().state).toBe('live')
    expect(client.priceAge('AAPL')).toMatchObject({ ageMs: 0, stale: false, streamed: true })
  })

  it('should find a stream silent past its limit lost as soon as the page is visible again after sleep', async () => {
    client.stop()
    // Asleep: the clock jumps and no timer has run.
    let slept = 0
    const sleepy = { now: () => clock.now() + slept, setTimeout: clock.setTimeout.bind(clock), clearTimeout: clock.clearTimeout.bind(clock) }
    client = new MarketClient({ baseUrl: 'http://mw.test', fetch: rest.fetch, WebSocket: FakeSocket, clock: sleepy, random: () => 0.5 })
    client.setToken('jwt')
    await client.start({ symbol: 'AAPL', timespan: '1m' })
    FakeSocket.all.at(-1)!.accept(20_000, 2000)
    clock.advance(1_000)
    client.woke()
    expect(client.status().state).toBe('live')
    slept = 90_000
    client.woke()
    expect(client.status()).toMatchObject({ state: 'reconnecting', reason: { code: 'NO_HEARTBEAT' } })
  })

  it('should mark refused subscriptions over quota and poll them', async () => {
    await client.start({ symbol: 'AAPL', timespan: '1m' })
    const ws = FakeSocket.all[0]
    ws.accept()
    const sub = ws.sent[0]
    ws.push({
      type: 'error',
      id: sub.id,
      data: { code: 'SUBSCRIPTION_LIMIT', message: 'at most 1' },
      source: 'server',
    })
    await flush()
    expect(client.status()).toMatchObject({
      state: 'over_quota',
      polled: ['AAPL', 'MSFT'],
      notice: { code: 'SUBSCRIPTION_LIMIT' },
    })
  })

  it('should load the charted symbol and its row again over REST on a reset (a split), then go on in its new epoch', async () => {
    const ws = await goLive()
    ws.push(barMsg(1, bar(T0, 13)))
    await flush()
    const before = rest.calls.length
    // The server's history is on the new scale now.
    serverBars = [bar(T0 - 2 * M, 2.75), bar(T0 - M, 3), bar(T0, 3.25)]
    ws.push({ type: 'reset', symbol: 'AAPL', seq: 1, epoch: 'e2', event_ts: T0, source: 'simulated', data: { reason: 'split' } })
    await flush()
    const asked = rest.calls.slice(before).map((c) => c.split('?')[0])
    expect(asked).toContain('/api/v1/market-data/snapshots')
    expect(asked).toContain('/api/v1/market-data/bars')
    expect(client.model.chartView()!.bars.map((b) => b.c)).toEqual([2.75, 3, 3.25])
    ws.push({ ...barMsg(2, bar(T0, 3.5)), epoch: 'e2' })
    await flush()
    expect(client.model.chartView()!.bars.map((b) => b.c)).toEqual([2.75, 3, 3.5])
    expect(client.model.counters.epochChanges).toBe(0)
  })
})
