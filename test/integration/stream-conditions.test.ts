/** Sale conditions end to end on the real Massive adapter (local Massive server → MassiveFeed → stream → a WebSocket client): trade messages and the last price move only on price-setting prints, volume counts the rest, and the app read the provider's conditions and the forming minute's trades. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { App } from '../../src/app'
import { tradesBetween } from '../../src/adapters/simulated/market'
import type { Trade } from '../../src/core/market-types'
import { eligibilityOf } from '../../src/core/trade-conditions'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { createScaledClock } from '../support/scaled-clock'
import { StreamClient } from '../support/stream-client'
import { tradeWindowsMisfit } from '../support/trade-windows'
import { Http, startApp } from '../support/harness'

/** Monday 2026-11-30, 10:30 New York (regular session), ten times faster than real time. */
const clock = createScaledClock(10, Date.parse('2026-11-30T15:30:00Z'))
/** In the regular session a print sets the last price when every condition allows open/close. */
const setsLast = (t: Trade) => eligibilityOf(t.c).price.openClose

describe('trade conditions on the stream over the Massive adapter', () => {
  let massive: MassiveServer
  let app: App
  let client: StreamClient
  beforeAll(async () => {
    massive = createMassiveServer({ now: () => clock.now(), feedTickMs: 50 })
    app = await startApp({ ...massiveAppEnv(massive), STREAM_FLUSH_MS: '0' }, { clock })
    const { url } = await app.listen()
    const http = new Http(app)
    const { token } = await http.signUp()
    expect((await http.post('/api/v1/watchlist', { ticker: 'AAPL' })).status).toBe(201)
    client = StreamClient.connect(`${url.replace('http', 'ws')}/api/v1/market-data/stream?token=${token}`)
    await client.opened
    client.send({ action: 'subscribe', symbols: ['AAPL'] })
  }, 30_000)
  afterAll(async () => {
    client?.ws.close()
    await app.stop()
    await massive.stop()
  }, 30_000)

  it('sends a trade message only for a price-setting print, counting the volume of the prints before it', async () => {
    const trades = () => client.messages.filter((m) => m.type === 'trade' && m.symbol === 'AAPL')
    await client.until(() => trades().length > 30, 'thirty AAPL trade messages', 15_000)
    const got = trades().map((m) => m.data)
    const market = tradesBetween('AAPL', got[0].t, got.at(-1)!.t + 60_000) // and the minute after the last message
    // Each message is a price-setting print. Prints that set no price were on the tape in between (odd lots are a large
    // share) and count in the windows: a window ends after its last price-setting print, before the next one, so a
    // message may also count prints that follow its own on the tape — every print once, none lost, count and volume.
    const first = market.findIndex((t) => t.t === got[0].t && t.p === got[0].p && t.s === got[0].s)
    const last = market.findIndex((t) => t.t === got.at(-1)!.t && t.p === got.at(-1)!.p && t.s === got.at(-1)!.s)
    expect(market.slice(first + 1, last + 1).some((t) => !setsLast(t))).toBe(true)
    expect(tradeWindowsMisfit(market, got, setsLast)).toBeNull()
    // The snapshot's last price is the last price-setting print.
    const snapshot = await client.next((m) => m.type === 'snapshot' && m.symbol === 'AAPL' && m.data.updated_at >= got.at(-1)!.t, 15_000)
    const lastSetting = tradesBetween('AAPL', got[0].t, snapshot.data.updated_at + 1).findLast(setsLast)!
    expect(snapshot.data.last).toBe(lastSetting.p)
  }, 30_000)

  it("read the provider's sale conditions and the forming minute's trades when the symbol started", () => {
    expect(massive.log.some((r) => r.pathAndQuery.startsWith('/v3/reference/conditions?'))).toBe(true)
    expect(massive.log.some((r) => r.pathAndQuery.startsWith('/v3/trades/AAPL?'))).toBe(true)
  })
})
