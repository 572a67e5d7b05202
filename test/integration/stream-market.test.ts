/** Market data over real sockets, on a clock 20× faster than real time: trades, bars and snapshots agree with the simulated market. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { minuteBars, snapshotAt, tradesBetween } from '../../src/adapters/simulated/market'
import type { SimulatedFeed } from '../../src/adapters/simulated/simulated-feed'
import type { Trade } from '../../src/core/market-types'
import { eligibilityOf } from '../../src/core/trade-conditions'
import { createScaledClock } from '../support/scaled-clock'
import { StreamClient, type StreamMessage } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'
import { tradeWindowsMisfit } from '../support/trade-windows'
import { waitFor } from '../support/wait'

const MINUTE = 60_000
/** A Wednesday, 10:59:58 in New York: the market is open and a minute closes 2 s (0.1 s real) after start. */
const start = Date.UTC(2025, 2, 12, 14, 59, 58)
/** In the regular session a print sets the last price when every condition allows open/close (odd lots do not). */
const setsLast = (t: Trade) => eligibilityOf(t.c).price.openClose

describe('stream market data', () => {
  let app: StreamApp
  let token: string
  beforeAll(async () => {
    app = await startStreamApp({}, { clock: createScaledClock(20, start), tuning: { symbolGraceMs: 1000 } })
    ;({ token } = await app.http.signUp())
    for (const ticker of ['AAPL', 'MSFT', 'JPM']) expect((await app.http.post('/api/v1/watchlist', { ticker })).status).toBe(201)
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  async function subscribed(symbols: string[]) {
    const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    await client.nextOf('welcome')
    expect((await client.request({ action: 'subscribe', symbols })).type).toBe('subscribed')
    return client
  }
  const of = (client: StreamClient, symbol: string, type?: string) =>
    client.messages.filter((m) => m.symbol === symbol && (type === undefined || m.type === type))

  it('should stream trades with contiguous seq in one epoch, each the last real trade of its window', async () => {
    const client = await subscribed(['AAPL'])
    await client.until(() => of(client, 'AAPL', 'trade').length > 10, 'more than ten AAPL trades', 15_000)
    client.close()
    const all = of(client, 'AAPL')
    const trades = of(client, 'AAPL', 'trade')
    expect(trades.length).toBeGreaterThan(10)
    expect(new Set(all.map((m) => m.epoch)).size).toBe(1)
    all.forEach((m, i) => expect(m.seq).toBe(all[0].seq! + i))
    for (const m of all) expect(m.source).toBe('simulated')
    for (const m of trades) expect(m.event_ts).toBe(m.data.t)
    // Each message is the market's last price-setting print of its window, and the windows after the first count
    // every print in between once, count and volume: a window may end on odd lots that follow its print on the tape.
    const market = tradesBetween('AAPL', trades[0].data.t, trades.at(-1)!.data.t + MINUTE) // and the minute after the last message
    expect(tradeWindowsMisfit(market, trades.map((m) => m.data), setsLast)).toBeNull()
  }, 20_000)

  it('should send snapshots agreeing with the market and keep the latest for the REST endpoint', async () => {
    const subscribedAt = app.clock.now()
    const client = await subscribed(['MSFT'])
    const snap = await client.next((m) => m.type === 'snapshot' && m.symbol === 'MSFT')
    const market = snapshotAt('MSFT', snap.data.updated_at)
    expect(snap.data.prev_close).toBe(market.prevClose)
    expect(snap.data.last).toBe(market.last)
    expect(snap.data.change).toBe(market.change)
    expect(snap.data.change_pct).toBe(market.changePct)
    // The replica's live state is what its clients last received (compared when the client holds the latest:
    // re-checked on every message, as the replica's state only moves ahead of what it has sent).
    const latest = () => of(client, 'MSFT', 'snapshot').at(-1)!
    await client.until(
      () => app.stream.liveSnapshot('MSFT')!.updatedAt === latest().data.updated_at,
      'the latest snapshot received',
    )
    const live = app.stream.liveSnapshot('MSFT')!
    expect(live.last).toBe(latest().data.last)
    expect(live.updatedAt).toBe(latest().data.updated_at)
    // Received on this replica's clock (app time), since the subscribe.
    expect(live.receivedAt).toBeGreaterThanOrEqual(subscribedAt)
    expect(live.receivedAt).toBeLessThanOrEqual(app.clock.now())
    expect(app.stream.liveSnapshot('TSLA')).toBeNull()
    client.close()
    await client.closed
    // Nobody streams MSFT here any more: the replica no longer claims to know it (once it has seen the close).
    await waitFor(() => app.stream.liveSnapshot('MSFT') === null, 10_000, 'the replica to forget MSFT')
    expect(app.stream.liveSnapshot('MSFT')).toBeNull()
  }, 20_000)

  it('should send the final minute bar equal to the market minute bar, after live bars that build up to it', async () => {
    const client = await subscribed(['JPM'])
    const subscribedAt = app.clock.now()
    const fullMinute = Math.ceil(subscribedAt / MINUTE) * MINUTE
    const final = await client.next((m) => m.type === 'bar' && m.data.state === 'final' && m.data.t === fullMinute, 15_000)
    const [expected] = minuteBars('JPM', fullMinute, fullMinute + MINUTE, fullMinute + MINUTE)
    const { state, revision, ...bar } = final.data
    expect(bar).toEqual(expected)
    expect(revision).toBe(0)
    expect(final.event_ts).toBe(fullMinute + MINUTE)
    const live = of(client, 'JPM', 'bar').filter((m) => m.data.t === fullMinute && m.data.state === 'live')
    expect(live.length).toBeGreaterThan(3)
    for (let i = 1; i < live.length; i++) expect(live[i].data.n).toBeGreaterThan(live[i - 1].data.n)
    expect(live[0].data.o).toBe(expected.o)
    expect(live.at(-1)!.data.n).toBeLessThanOrEqual(expected.n)
    expect(live.at(-1)!.seq!).toBeLessThan(final.seq!)
    client.close()
  }, 20_000)

  it('should end a subscription when the ticker is deleted from the watchlist over HTTP', async () => {
    const client = await subscribed(['AAPL', 'JPM'])
    await client.next((m) => m.symbol === 'AAPL')
    expect((await app.http.delete('/api/v1/watchlist/AAPL')).status).toBe(200)
    const ended = await client.next((m) => m.type === 'subscribed')
    expect(ended.data).toEqual({ symbols: ['JPM'], added: [], removed: ['AAPL'], reason: 'NOT_IN_WATCHLIST' })
    expect((await client.nextOf('status')).data.subscriptions.used).toBe(1)
    const at = client.messages.indexOf(ended)
    // 8 s of market time (0.4 s real) of JPM after the end: AAPL, busier, would have come along.
    await client.receivedSince(at + 1, (m) => m.symbol === 'JPM' && m.ts >= ended.ts + 8_000, 15_000)
    expect(client.messages.slice(at + 1).filter((m) => m.symbol === 'AAPL')).toHaveLength(0)
    expect(client.messages.slice(at + 1).filter((m) => m.symbol === 'JPM').length).toBeGreaterThan(0)
    const again = await client.request({ action: 'subscribe', symbols: ['AAPL'] })
    expect(again.data.code).toBe('NOT_IN_WATCHLIST')
    client.close()
  }, 20_000)

  it('should report an upstream reconnect and continue in a new epoch', async () => {
    const client = await subscribed(['JPM'])
    const before: StreamMessage = await client.next((m) => m.symbol === 'JPM')
    ;(app.feed as SimulatedFeed).disconnect()
    const down = await client.next((m) => m.type === 'status' && m.data.upstream !== 'ok')
    expect(down.data.upstream).toBe('reconnecting')
    expect(down.data.reason.code).toBe('UPSTREAM_CLOSED')
    expect((await client.next((m) => m.type === 'status')).data.upstream).toBe('ok')
    const after = await client.next((m) => m.symbol === 'JPM' && m.epoch !== before.epoch)
    expect(after.seq).toBe(1)
    client.close()
  }, 20_000)
})
