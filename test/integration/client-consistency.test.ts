/** The MarketClient in Bun against a listening app, under random faults and with a skewed PC clock: its minute bars must equal GET /market-data/bars, bar for bar. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { MarketClient, type ClientStatus, type FetchLike } from '../../src/client'
import type { Clock } from '../../src/ports/clock'
import { createScaledClock } from '../support/scaled-clock'
import { divergences } from '../e2e/support/compare-bars'
import { startFaultProxy, type FaultProxy } from '../e2e/support/fault-proxy'
import { startTerminalApp, type TerminalApp } from '../e2e/support/terminal-app'
import { Changes, clockReaches } from '../support/wait'

const M = 60_000
const H = 60 * M
const floorMinute = (t: number) => Math.floor(t / M) * M
/** App and client share a clock running 10× faster from a Wednesday 10:40 in New York: a busy market, a minute every 6 s. */
const scale = 10
const clock = createScaledClock(scale, Date.UTC(2025, 2, 12, 14, 40))
const seed = Number(process.env.CLIENT_FAULT_SEED ?? Date.now() % 100_000)

/** A small seeded PRNG (mulberry32), so a failing fault schedule can be replayed with CLIENT_FAULT_SEED. */
function prng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A wait on `client`: resolves once `ok()` holds, re-checked whenever the client reports a change; answers the real ms it took. */
function waiterOn(client: MarketClient) {
  const changes = new Changes()
  client.onChange(() => changes.changed())
  return async (what: string, ok: () => boolean, timeoutMs = 20_000): Promise<number> => {
    const t0 = Date.now()
    await changes.until(ok, what, timeoutMs)
    return Date.now() - t0
  }
}

/** `ms` of app time on the clock app and client share: the scenario's own pacing (faults at random moments, an outage's length). */
const appTime = (ms: number) => clockReaches(clock, clock.now() + ms)

/** Resolves once the minute before `boundary` is closed in the client's chart (its final bar or a correction came) and the client is synced. */
const closedMinute = (until: ReturnType<typeof waiterOn>, client: MarketClient, boundary: number) =>
  until(
    `the final bar of the minute before ${new Date(boundary).toISOString()}`,
    () => {
      const bar = client.model.chartMinutes().find((b) => b.t === boundary - M)
      return (bar?.origin === 'final' || bar?.origin === 'correction') && client.status().synced
    },
    30_000,
  )

describe('client consistency under faults', () => {
  let app: TerminalApp
  let proxy: FaultProxy
  let token: string
  let client: MarketClient
  let skewedClient: MarketClient
  const random = prng(seed)

  beforeAll(async () => {
    app = await startTerminalApp({ WS_HEARTBEAT_MS: '5000' }, clock)
    proxy = startFaultProxy(app.url, { clock })
    const post = (path: string, body: unknown, auth?: string) =>
      fetch(app.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>)
    const email = `client-${crypto.randomUUID().slice(0, 8)}@example.com`
    await post('/api/v1/auth/register', { email, password: 'correct horse battery' })
    token = (await post('/api/v1/auth/login', { email, password: 'correct horse battery' })).token
    for (const ticker of ['AAPL', 'MSFT', 'NVDA']) await post('/api/v1/watchlist', { ticker }, token)
  }, 60_000)

  afterAll(async () => {
    client?.stop()
    skewedClient?.stop()
    proxy?.stop()
    await app?.stop()
  })

  it('should end with minute bars equal to REST after drops, an upstream blip and a long outage', async () => {
    // Default client settings (10 s to polling, 3 s / 20 s polls, 15 min backfill), all in app time.
    client = new MarketClient({
      baseUrl: proxy.url,
      fetch: (url, init) => fetch(url, init),
      WebSocket: WebSocket as any,
      clock,
      random,
    })
    client.setToken(token)
    const until = waiterOn(client)
    const status = (): ClientStatus => client.status()
    const states: string[] = []
    client.onChange(() => {
      const s = status().state
      if (states.at(-1) !== s) states.push(s)
    })
    await client.start({ symbol: 'AAPL', timespan: '1m' })
    await until('live and synced', () => status().synced)
    const startedAt = clock.now()

    // Short faults at random moments: server-side drops with reconnectable codes, and one upstream blip (new epoch).
    let faults = 0
    const codes = [4000, 4003, 1011, 4001]
    for (let i = 0; i < 10; i++) {
      await appTime((300 + Math.floor(random() * 2000)) * scale)
      if (i === 2 && app.stream) {
        app.stream.setUpstreamHolding(false)
        await appTime((100 + Math.floor(random() * 400)) * scale)
        app.stream.setUpstreamHolding(true)
        faults++
      } else {
        faults += proxy.dropStreams(codes[Math.floor(random() * codes.length)]) > 0 ? 1 : 0
      }
      await until('recovered after a fault', () => status().synced, 15_000)
    }

    // A longer outage: the stream refused past the polling threshold (REST still answers), then restored.
    proxy.blockStreams()
    faults += proxy.dropStreams(4000) > 0 ? 1 : 0
    await until('polling', () => status().state === 'polling', 10_000)
    await appTime(30_000) // the outage lasts 30 s of app time, polled all along
    expect(status().polled).toEqual(['AAPL', 'MSFT', 'NVDA'])
    proxy.unblockStreams()
    const restoreRealMs = await until('live again after the outage', () => status().synced, 20_000)

    // Let the current minute close and its final bar arrive, then compare every minute closed by then.
    const boundary = Math.ceil(clock.now() / M) * M
    await clockReaches(clock, boundary)
    await closedMinute(until, client, boundary)
    const closedBefore = boundary
    const mine = client.model.chartView()!.bars.filter((b) => b.t < closedBefore)
    const rest = (
      await client.api.bars({ ticker: 'AAPL', timespan: 'minute', from: mine[0].t, to: closedBefore - 1 })
    ).filter((b) => b.t < closedBefore)

    const recoveries = client.outages.filter((o) => o.recoveredAt !== null).map((o) => o.recoveredAt! - o.lostAt)
    const report = {
      seed,
      wiredBy: app.wiredBy,
      faults,
      streamLosses: client.outages.length,
      recoveryAppMs: {
        max: Math.max(...recoveries),
        mean: Math.round(recoveries.reduce((a, b) => a + b, 0) / recoveries.length),
      },
      recoveryRealMs: { max: Math.round(Math.max(...recoveries) / scale), afterLongOutage: restoreRealMs },
      counters: client.model.counters,
      sockets: client.stream.opened,
      refusedHandshakes: proxy.refused,
      states: states.join(' > '),
      comparedBars: mine.length,
      faultWindowMinutes: Math.round((closedBefore - startedAt) / M),
      window: `${new Date(mine[0].t).toISOString()} .. ${new Date(closedBefore - M).toISOString()}`,
    }
    console.log('client-consistency', JSON.stringify(report))
    expect(states).toContain('reconnecting')
    expect(states).toContain('polling')
    expect(client.outages.every((o) => o.recoveredAt !== null)).toBe(true)
    expect(divergences(mine, rest)).toEqual([])
    // From the 8-hour load's first bar at 04:00 to ~10:43 (403 minutes): nothing trades overnight, and the thin pre-market
    // minutes whose only prints set no price (odd lots, by the sale-condition rules) have no bar: about 360 compared.
    expect(mine.length).toBeGreaterThan(320)
  }, 120_000)

  it("should load and backfill the server's ranges when the PC clock is 7 minutes ahead", async () => {
    client?.stop()
    // The PC's clock is 7 minutes fast; its timers run at the right speed.
    const pcClock: Clock = { ...clock, now: () => clock.now() + 7 * M }
    /** Every bars range the client asks for, with the server's time when it asked. */
    const asked: { from: number; to: number | null; serverNow: number }[] = []
    const loggingFetch: FetchLike = (url, init) => {
      const q = new URL(url).searchParams
      if (url.includes('/market-data/bars?') && q.has('from'))
        asked.push({
          from: Number(q.get('from')),
          to: q.has('to') ? Number(q.get('to')) : null,
          serverNow: clock.now(),
        })
      return fetch(url, init)
    }
    skewedClient = new MarketClient({
      baseUrl: proxy.url,
      fetch: loggingFetch,
      WebSocket: WebSocket as any,
      clock: pcClock,
      random,
    })
    skewedClient.setToken(token)
    const until = waiterOn(skewedClient)
    const synced = () => skewedClient.status().synced

    // The first load happens before the stream: only REST's Date tells the server's time.
    await skewedClient.start({ symbol: 'AAPL', timespan: '1m' })
    await until('live and synced', synced)
    const [load] = asked
    expect(Math.abs(load.from - floorMinute(load.serverNow - 8 * H))).toBeLessThanOrEqual(M)

    // A server-side drop: after the reconnect the backfill covers the server's last 15 minutes.
    const beforeDrop = asked.length
    expect(proxy.dropStreams(4000)).toBeGreaterThan(0)
    const recovered = () => skewedClient.outages.length === 1 && skewedClient.outages[0].recoveredAt !== null
    // Re-checked on each change of the client: also until the backfill it asks for on reconnecting has gone out.
    await until('reconnected, backfilled and synced after the drop', () => recovered() && asked.length > beforeDrop && synced(), 15_000)
    const backfills = asked.slice(beforeDrop)
    expect(backfills.length).toBeGreaterThan(0)
    for (const b of backfills) {
      expect(b.serverNow - b.from).toBeGreaterThanOrEqual(15 * M)
      expect(b.serverNow - b.from).toBeLessThan(16 * M)
    }
    // Nothing asked of the future.
    for (const a of asked) expect(Math.max(a.from, a.to ?? a.from)).toBeLessThanOrEqual(a.serverNow)

    // After the next minute closes, the chart holds exactly REST's bars, up to the newest closed minute.
    const boundary = Math.ceil(clock.now() / M) * M
    await clockReaches(clock, boundary)
    await closedMinute(until, skewedClient, boundary)
    const closedBefore = boundary
    const mine = skewedClient.model.chartView()!.bars.filter((b) => b.t < closedBefore)
    const rest = await skewedClient.api.bars({
      ticker: 'AAPL',
      timespan: 'minute',
      from: mine[0].t,
      to: closedBefore - 1,
    })
    expect(mine.at(-1)!.t).toBe(closedBefore - M)
    expect(divergences(mine, rest)).toEqual([])
  }, 60_000)
})
