/** Stream seeds over the real Massive adapter: twenty symbols subscribed at once share one snapshot call, and the REST endpoint reuses it. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { simulatedUniverse } from '../../src/adapters/simulated/universe'
import type { App } from '../../src/app'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from '../support/massive-server'
import { createScaledClock } from '../support/scaled-clock'
import { StreamClient, type StreamMessage } from '../support/stream-client'
import { Http, startApp } from '../support/harness'

/** A busy New York session (10:30 ET on a Wednesday), in real time. */
const clock = createScaledClock(1, Date.parse('2025-03-12T14:30:00Z'))
const symbols = simulatedUniverse.slice(0, 20).map((s) => s.ticker)

describe('stream seeds over the Massive adapter', () => {
  let massive: MassiveServer
  let app: App
  let http: Http
  let client: StreamClient
  beforeAll(async () => {
    massive = createMassiveServer({ now: () => clock.now(), feedTickMs: 50 })
    app = await startApp(
      {
        ...massiveAppEnv(massive),
        STREAM_FLUSH_MS: '0',
        // Long enough that a slow machine still finds the seeds' answers cached when the REST requests come.
        SNAPSHOT_CACHE_MS: '30000',
      },
      { clock },
    )
    const { url } = await app.listen()
    http = new Http(app)
    const { token } = await http.signUp()
    for (const ticker of symbols) expect((await http.post('/api/v1/watchlist', { ticker })).status).toBe(201)
    client = StreamClient.connect(`${url.replace('http', 'ws')}/api/v1/market-data/stream?token=${token}`)
    await client.nextOf('welcome', 8000)
  }, 30_000)
  afterAll(async () => {
    client?.close()
    await app?.stop()
    await massive?.stop()
  }, 30_000)

  it('should seed twenty newly streamed symbols with one or two snapshot calls, then answer REST snapshots without another', async () => {
    const snapshotCallsBefore = massive.counts.snapshots
    expect((await client.request({ action: 'subscribe', symbols }, 8000)).type).toBe('subscribed')
    const firstSnapshots = new Map<string, StreamMessage>()
    await client.next((m) => {
      if (m.type === 'snapshot' && !firstSnapshots.has(m.symbol!)) firstSnapshots.set(m.symbol!, m)
      return firstSnapshots.size === symbols.length
    }, 8000)
    for (const snap of firstSnapshots.values()) expect(snap.data.prev_close).toBeGreaterThan(0)
    // One call in practice (all twenty seeds fall in one window); two if a slow machine splits them.
    const seedCalls = massive.log.filter((r) => r.endpoint === 'snapshots').slice(snapshotCallsBefore)
    expect(seedCalls.length).toBeGreaterThanOrEqual(1)
    expect(seedCalls.length).toBeLessThanOrEqual(2)
    const asked = seedCalls.flatMap((r) => new URL(r.pathAndQuery, massive.url).searchParams.get('tickers')!.split(','))
    expect(asked.sort()).toEqual([...symbols].sort())
    const afterSeeds = massive.counts.snapshots

    const rest = await http.get(`/api/v1/market-data/snapshots?tickers=${symbols.join(',')}`)
    expect(rest.status).toBe(200)
    expect(rest.json.errors).toEqual([])
    expect(rest.json.results.map((r: { ticker: string; prev_close: number }) => [r.ticker, r.prev_close])).toEqual(
      symbols.map((t) => [t, firstSnapshots.get(t)!.data.prev_close]),
    )
    expect(massive.counts.snapshots).toBe(afterSeeds)

    // Without local subscribers there is no live state: the endpoint reads what the seeds cached.
    const left = await client.request({ action: 'unsubscribe', symbols }, 8000)
    expect(left.data.symbols).toEqual([])
    const cached = await http.get(`/api/v1/market-data/snapshots?tickers=${symbols.join(',')}`)
    expect(cached.json.results.map((r: { source: string }) => r.source)).toEqual(symbols.map(() => 'REST'))
    expect(cached.json.results.map((r: { prev_close: number }) => r.prev_close)).toEqual(
      symbols.map((t) => firstSnapshots.get(t)!.data.prev_close),
    )
    expect(massive.counts.snapshots).toBe(afterSeeds)
  }, 30_000)
})
