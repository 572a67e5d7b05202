/** `market_status` over real WebSockets on a simulated clock: right after `welcome`, then exactly once per session change to every connection; never a change around the clock. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { Http, uniqueEmail } from '../support/harness'
import { StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

/** 2026-12-08 (an ordinary Tuesday) 15:59:59 New York (EST): one second before the regular close. */
const beforeClose = Date.parse('2026-12-08T15:59:59-05:00')

async function openStream(app: StreamApp): Promise<StreamClient> {
  const http = new Http(app.app)
  const { token } = await http.signUp(uniqueEmail('market-status'))
  const client = StreamClient.connect(app.wsUrl, { protocols: ['market-watch.v1', `bearer.${token}`] })
  await client.nextOf('welcome')
  await client.nextOf('market_status')
  return client
}

/** A ping answered: everything the server sent before it has arrived. */
const settled = async (client: StreamClient, id: string) =>
  expect((await client.request({ action: 'ping', id })).type).toBe('pong')

describe('market_status on the stream (calendar)', () => {
  const clock = new SimulatedClock(beforeClose)
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp({}, { clock })
  }, 30_000)
  afterAll(() => app?.stop(), 30_000)

  it('should follow welcome at once, then come exactly once to every connection when the session changes', async () => {
    const a = await openStream(app)
    const b = await openStream(app)
    for (const client of [a, b]) {
      expect(client.messages.map((m) => m.type).slice(0, 2)).toEqual(['welcome', 'market_status'])
      expect(client.messages[1]!.data).toMatchObject({
        market: 'open',
        server_time: new Date(beforeClose).toISOString(),
        next_close: '2026-12-08T21:00:00.000Z',
        session_closes_at: '2026-12-08T21:00:00.000Z',
      })
    }

    clock.advance(1_000) // 16:00:00: the regular session ends, post-market begins
    for (const client of [a, b]) {
      const change = await client.next((m) => m.type === 'market_status')
      expect(change.source).toBe('server')
      expect(change.ts).toBe(beforeClose + 1_000)
      expect(change.data).toMatchObject({
        market: 'post',
        next_open: '2026-12-09T14:30:00.000Z',
        next_close: '2026-12-09T21:00:00.000Z',
      })
    }
    clock.advance(1_000) // nothing changes at 16:00:01
    await settled(a, 'after-close')
    await settled(b, 'after-close')
    for (const client of [a, b])
      expect(client.ofType('market_status').map((m) => m.data.market)).toEqual(['open', 'post'])

    // A connection arriving now is told post-market once, and nothing more.
    const c = await openStream(app)
    expect(c.messages.map((m) => m.type).slice(0, 2)).toEqual(['welcome', 'market_status'])
    expect(c.messages[1]!.data.market).toBe('post')
    clock.advance(1_000)
    await settled(c, 'joined')
    expect(c.ofType('market_status')).toHaveLength(1)
    for (const client of [a, b, c]) client.close()
  }, 30_000)
})

describe('market_status on the stream (an early close)', () => {
  /** 2026-11-27, the Friday after Thanksgiving, 12:59:59 New York: the regular session ends at 13:00. */
  const beforeEarlyClose = Date.parse('2026-11-27T12:59:59-05:00')
  const clock = new SimulatedClock(beforeEarlyClose)
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp({}, { clock })
  }, 30_000)
  afterAll(() => app?.stop(), 30_000)

  it('should change to post-market at 13:00, once', async () => {
    const client = await openStream(app)
    expect(client.messages[1]!.data).toMatchObject({ market: 'open', early_close: true, holiday: 'Thanksgiving' })
    clock.advance(1_000)
    const change = await client.next((m) => m.type === 'market_status')
    expect(change.data).toMatchObject({
      market: 'post',
      early_close: true,
      session_closes_at: '2026-11-27T18:00:00.000Z',
    })
    await settled(client, 'after-early-close')
    expect(client.ofType('market_status')).toHaveLength(2)
    client.close()
  }, 30_000)
})

describe('market_status on the stream (SIMULATED_MARKET_HOURS=always)', () => {
  const clock = new SimulatedClock(beforeClose)
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp({ SIMULATED_MARKET_HOURS: 'always' }, { clock })
  }, 30_000)
  afterAll(() => app?.stop(), 30_000)

  it('should say open with simulated_always_open, and send no change at the close', async () => {
    const client = await openStream(app)
    expect(client.messages[1]).toMatchObject({
      type: 'market_status',
      data: { market: 'open', simulated_always_open: true },
    })
    clock.advance(1_000)
    await settled(client, 'after-close')
    expect(client.ofType('market_status')).toHaveLength(1)
    client.close()
  }, 30_000)
})
