/** The whole live path on the real Massive adapter: local Massive server → MassiveFeed → UpstreamActor → stream → clients; drops, corrections, evictions. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { createScaledClock } from '../support/scaled-clock'
import { StreamClient } from '../support/stream-client'
import { Http, startApp } from '../support/harness'
import { waitFor } from '../support/wait'

/** A busy New York session (10:30 ET on a Wednesday), ten times faster than real time. */
const clock = createScaledClock(10, Date.parse('2025-03-12T14:30:00Z'))

/** Polls a condition (server-side state: nothing reports it) until it holds or the time is up; says whether it held. */
const within = (ms: number, ok: () => boolean): Promise<boolean> =>
  waitFor(ok, ms, 'condition').then(
    () => true,
    () => ok(),
  )

describe('stream over the Massive adapter', () => {
  let massive: MassiveServer
  let app: App
  let client: StreamClient
  let wsBase: string
  let token: string
  beforeAll(async () => {
    massive = createMassiveServer({ now: () => clock.now(), feedTickMs: 50 })
    app = await startApp(
      {
        ...massiveAppEnv(massive),
        STREAM_FLUSH_MS: '0',
      },
      { clock },
    )
    const { url } = await app.listen()
    wsBase = url.replace('http', 'ws') + '/api/v1/market-data/stream'
    const http = new Http(app)
    ;({ token } = await http.signUp())
    for (const t of ['AAPL', 'MSFT']) expect((await http.post('/api/v1/watchlist', { ticker: t })).status).toBe(201)
    client = StreamClient.connect(`${wsBase}?token=${token}`)
    await client.opened
    client.send({ action: 'subscribe', symbols: ['AAPL', 'MSFT'] })
  }, 30_000)
  afterAll(async () => {
    client?.ws.close()
    await app.stop()
    await massive.stop()
  }, 30_000)

  const subscribedOn = (connection: number) =>
    massive.wsLog.some(
      (f) =>
        f.connection === connection &&
        f.kind === 'subscribe' &&
        /T\.AAPL/.test(f.params ?? '') &&
        /T\.MSFT/.test(f.params ?? ''),
    )

  it('should authenticate upstream, subscribe both channels and deliver trades with monotonic seq', async () => {
    const first = await client.next((m) => m.type === 'trade' && m.symbol === 'AAPL', 15_000)
    expect(first.source).toBe('massive')
    expect(massive.counts.wsAuth).toBeGreaterThanOrEqual(1)
    const conn = massive.wsLog.find((f) => f.kind === 'subscribe')!.connection
    expect(subscribedOn(conn)).toBe(true)
    const more = await client.next((m) => m.type === 'trade' && m.symbol === 'AAPL' && m.seq! > first.seq!, 15_000)
    expect(more.epoch).toBe(first.epoch)
  }, 20_000)

  it('should reconnect after an upstream drop, resubscribe everything and resume', async () => {
    const connectionsBefore = massive.counts.wsConnections
    expect(massive.wsDrop()).toBeGreaterThan(0)
    const status = await client.next((m) => m.type === 'status' && m.data.upstream !== 'ok', 15_000)
    expect(['reconnecting', 'degraded']).toContain(status.data.upstream)
    await client.next((m) => m.type === 'status' && m.data.upstream === 'ok', 15_000)
    expect(massive.counts.wsConnections).toBeGreaterThan(connectionsBefore)
    const newest = Math.max(...massive.wsLog.filter((f) => f.kind === 'open').map((f) => f.connection))
    expect(await within(5000, () => subscribedOn(newest))).toBe(true)
    const resumed = await client.next((m) => m.type === 'trade', 15_000)
    expect(resumed.symbol === 'AAPL' || resumed.symbol === 'MSFT').toBe(true)
  }, 40_000)

  it('should pass a provider correction on as an update of the same minute bar', async () => {
    const final = await client.next((m) => m.type === 'bar' && m.symbol === 'MSFT' && m.data.state === 'final', 15_000)
    const corrected = Math.round((final.data.c + 0.37) * 100) / 100
    expect(
      massive.wsResendBar('MSFT', final.data.t, { c: corrected, h: Math.max(final.data.h, corrected) }),
    ).toBeGreaterThan(0)
    const update = await client.next(
      (m) => m.type === 'bar' && m.symbol === 'MSFT' && m.data.t === final.data.t && m.data.state === 'correction',
      8000,
    )
    expect(update.data.c).toBe(corrected)
    expect(update.seq!).toBeGreaterThan(final.seq!)
  }, 30_000)

  it('should make an eviction visible and not spin: repeated max_connections keep backing off', async () => {
    expect(massive.wsMaxConnections()).toBeGreaterThan(0)
    const degraded = await client.next((m) => m.type === 'status' && m.data.upstream !== 'ok', 15_000)
    expect(degraded.data.upstream).not.toBe('ok')
    // Each time the replacement session authenticates, the provider evicts it again.
    for (let i = 0; i < 3; i++) {
      const auths = massive.counts.wsAuth
      expect(await within(20_000, () => massive.counts.wsAuth > auths)).toBe(true)
      // The server answered that auth at once; the eviction goes out after it on the same socket.
      massive.wsMaxConnections()
    }
    // A successful auth does not reset the backoff: the attempt count keeps growing through the loop.
    expect(await within(5000, () => app.stream.status().upstream.attempt >= 3)).toBe(true)
    await client.next((m) => m.type === 'status' && m.data.upstream === 'ok', 30_000)
  }, 60_000)
})
