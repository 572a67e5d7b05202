/** The local Massive stocks feed itself, over a raw WebSocket: handshake frames, acks and event shapes as massive-api.md section 5 describes them. */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { minuteBars, tradesBetween } from '../../src/adapters/simulated/market.ts'
import { createMassiveServer, type MassiveServer } from '../support/massive-server.ts'
import { waitFor } from '../support/wait.ts'

/** Wednesday 2025-03-12 14:00 New York (EDT). */
const NOW = Date.UTC(2025, 2, 12, 18, 0)

let server: MassiveServer
let market = NOW
const sockets: WebSocket[] = []

type Frame = Record<string, any>[]

/** A raw client that queues every frame; next() awaits the next one. */
async function connect() {
  const ws = new WebSocket(server.wsUrl)
  sockets.push(ws)
  const frames: Frame[] = []
  const waiters: ((f: Frame) => void)[] = []
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })),
  )
  ws.addEventListener('message', (e) => {
    const frame = JSON.parse(String(e.data)) as Frame
    const waiter = waiters.shift()
    if (waiter) waiter(frame)
    else frames.push(frame)
  })
  await new Promise((resolve) => ws.addEventListener('open', resolve))
  const next = (): Promise<Frame> => {
    const frame = frames.shift()
    if (frame) return Promise.resolve(frame)
    return new Promise((resolve) => waiters.push(resolve))
  }
  const send = (action: string, params: string) => ws.send(JSON.stringify({ action, params }))
  return { ws, next, send, closed }
}

beforeAll(() => {
  server = createMassiveServer({ now: () => market, feedTickMs: 10 })
})
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.close()
  await waitFor(() => server.wsOpenConnections === 0, 10_000, 'the server to see every feed connection closed')
  server.reset()
  market = NOW
})
afterAll(() => server.stop())

describe('fake Massive stocks feed', () => {
  it('greets with `connected`, wants auth before subscribe, and acks each channel in its own frame', async () => {
    const c = await connect()
    expect(await c.next()).toEqual([{ ev: 'status', status: 'connected', message: 'Connected Successfully' }])

    c.send('subscribe', 'T.AAPL')
    expect(await c.next()).toMatchObject([{ ev: 'status', status: 'auth_required' }])
    c.send('auth', server.apiKey)
    expect(await c.next()).toEqual([{ ev: 'status', status: 'auth_success', message: 'authenticated' }])

    c.send('subscribe', 'T.AAPL, AM.BRK.B')
    expect(await c.next()).toEqual([{ ev: 'status', status: 'success', message: 'subscribed to: T.AAPL' }])
    expect(await c.next()).toEqual([{ ev: 'status', status: 'success', message: 'subscribed to: AM.BRK.B' }])
    c.send('unsubscribe', 'T.AAPL')
    expect(await c.next()).toEqual([{ ev: 'status', status: 'success', message: 'unsubscribed to: T.AAPL' }])
    expect(server.wsLog.map((f) => f.kind)).toEqual(['open', 'subscribe', 'auth', 'subscribe', 'unsubscribe'])
  })

  it('answers a wrong key with auth_failed and closes with 1008', async () => {
    const c = await connect()
    await c.next()
    c.send('auth', 'wrong')
    expect(await c.next()).toEqual([{ ev: 'status', status: 'auth_failed', message: 'authentication failed' }])
    expect((await c.closed).code).toBe(1008)
  })

  it('sends T and AM events with the provider`s fields, as arrays', async () => {
    const c = await connect()
    await c.next()
    c.send('auth', server.apiKey)
    await c.next()
    c.send('subscribe', 'T.MSFT,AM.MSFT')
    await c.next()
    await c.next()
    market = NOW + 60_000

    const trades = await c.next()
    expect(trades.map((e) => e.q)).toEqual(tradesBetween('MSFT', NOW, market).map((t) => t.q))
    expect(Object.keys(trades[0]!).sort()).toEqual(['ev', 'i', 'p', 'q', 's', 'sym', 't', 'x', 'z'])
    const [bar] = await c.next()
    const expected = minuteBars('MSFT', NOW, NOW + 60_000, market)[0]!
    expect(bar).toMatchObject({
      ev: 'AM',
      sym: 'MSFT',
      s: NOW,
      e: NOW + 60_000,
      o: expected.o,
      c: expected.c,
      v: expected.v,
    })
    expect(Object.keys(bar!).sort()).toEqual([
      'a',
      'av',
      'c',
      'e',
      'ev',
      'h',
      'l',
      'o',
      'op',
      's',
      'sym',
      'v',
      'vw',
      'z',
    ])
    expect(bar!.z).toBe(Math.round(expected.v / expected.n))
  })

  it('answers a plain GET on the feed path with 426 and leaves REST alone', async () => {
    const res = await fetch(`${server.url}/stocks`)
    expect(res.status).toBe(426)
    await res.text()
    expect(server.counts.total).toBe(0)
  })
})
