/** Stream requests over real sockets: watchlist-scoped and capped subscriptions (atomic), ping, and every in-band error. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { closedWithin, StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'
import { waitFor } from '../support/wait'
import { createScaledClock } from '../support/scaled-clock'

describe('stream requests', () => {
  let app: StreamApp
  let token: string
  beforeAll(async () => {
    // A busy session (Wednesday 2025-03-12, 11:00 New York) at real speed: the barriers below wait for live trades.
    const clock = createScaledClock(1, Date.UTC(2025, 2, 12, 15, 0))
    app = await startStreamApp(
      { WS_MAX_SUBSCRIPTIONS: '3', WS_MESSAGES_PER_SECOND: '200', WS_MAX_MESSAGE_BYTES: '512' },
      { clock },
    )
    ;({ token } = await app.http.signUp())
    for (const ticker of ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL']) {
      expect((await app.http.post('/api/v1/watchlist', { ticker })).status).toBe(201)
    }
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  async function connect() {
    const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    await client.nextOf('welcome')
    await client.nextOf('status')
    return client
  }

  it('should refuse symbols not on the watchlist and change nothing', async () => {
    const client = await connect()
    const refused = await client.request({ action: 'subscribe', symbols: ['AAPL', 'TSLA', 'META'], id: 'r1' })
    expect(refused.type).toBe('error')
    expect(refused.data.code).toBe('NOT_IN_WATCHLIST')
    expect(refused.data.details.symbols).toEqual(['TSLA', 'META'])
    expect(refused.data.id).toBe('r1')
    // AAPL was on the list but the request was refused as a whole: no data for it arrives.
    expect(app.stream.status().symbols).toEqual({})
    // Barrier: another connection's MSFT trades flow (the feed ticked twice since the refusal), then
    // a ping: AAPL data, had the refusal subscribed it, would have reached this client before the pong.
    const observer = await connect()
    expect((await observer.request({ action: 'subscribe', symbols: ['MSFT'] })).type).toBe('subscribed')
    await observer.next((m) => m.type === 'trade' && m.symbol === 'MSFT')
    await observer.next((m) => m.type === 'trade' && m.symbol === 'MSFT')
    expect((await client.request({ action: 'ping', id: 'barrier' })).type).toBe('pong')
    expect(client.messages.filter((m) => m.symbol === 'AAPL')).toHaveLength(0)
    observer.close()
    await waitFor(() => Object.keys(app.stream.status().symbols).length === 0, 10_000, 'the observer released MSFT')
    expect(app.stream.status().symbols).toEqual({})
    const ok = await client.request({ action: 'subscribe', symbols: ['aapl'] })
    expect(ok.type).toBe('subscribed')
    expect(ok.data).toEqual({ symbols: ['AAPL'], added: ['AAPL'], removed: [] })
    const status = await client.nextOf('status')
    expect(status.data.subscriptions).toEqual({ used: 1, max: 3 })
    client.close()
  }, 20_000)

  it('should refuse a subscription over the per-connection cap as a whole', async () => {
    const client = await connect()
    expect((await client.request({ action: 'subscribe', symbols: ['AAPL', 'MSFT'] })).data.symbols).toEqual(['AAPL', 'MSFT'])
    const refused = await client.request({ action: 'subscribe', symbols: ['NVDA', 'AMZN'] })
    expect(refused.data.code).toBe('SUBSCRIPTION_LIMIT')
    expect(refused.data.details).toEqual({ max: 3, used: 2, requested: 2 })
    expect(refused.data.message).toContain('3')
    const again = await client.request({ action: 'subscribe', symbols: ['MSFT', 'NVDA'] })
    expect(again.data).toEqual({ symbols: ['AAPL', 'MSFT', 'NVDA'], added: ['NVDA'], removed: [] })
    const gone = await client.request({ action: 'unsubscribe', symbols: ['MSFT', 'AMZN'] })
    expect(gone.data).toEqual({ symbols: ['AAPL', 'NVDA'], added: [], removed: ['MSFT'] })
    client.close()
  }, 20_000)

  it('should name invalid symbols', async () => {
    const client = await connect()
    const r = await client.request({ action: 'subscribe', symbols: ['AAPL', 'not a ticker', 42] })
    expect(r.data.code).toBe('INVALID_SYMBOLS')
    expect(r.data.details.invalid).toEqual(['not a ticker', '42'])
    expect((await client.request({ action: 'subscribe', symbols: [] })).data.code).toBe('INVALID_SYMBOLS')
    expect((await client.request({ action: 'subscribe' })).data.code).toBe('INVALID_SYMBOLS')
    client.close()
  }, 20_000)

  it('should answer ping with pong echoing the id', async () => {
    const client = await connect()
    const pong = await client.request({ action: 'ping', id: 7 })
    expect(pong.type).toBe('pong')
    expect(pong.data).toEqual({ id: 7 })
    expect((await client.request({ action: 'ping' })).data).toEqual({})
    client.close()
  }, 20_000)

  it('should answer malformed, unknown, binary and oversized messages with errors and stay open', async () => {
    const client = await connect()
    client.send('{"action":')
    expect((await client.nextOf('error')).data.code).toBe('MALFORMED_MESSAGE')
    client.send('[1,2]')
    expect((await client.nextOf('error')).data.code).toBe('MALFORMED_MESSAGE')
    client.send({ action: 'dance' })
    const unknown = await client.nextOf('error')
    expect(unknown.data.code).toBe('UNKNOWN_ACTION')
    expect(unknown.data.details.action).toBe('dance')
    client.ws.send(new Uint8Array([1, 2, 3]))
    expect((await client.nextOf('error')).data.code).toBe('MALFORMED_MESSAGE')
    // Valid JSON padded past the limit counts by its bytes, not by its parsed value.
    client.send(`{"action":"ping"${' '.repeat(600)}}`)
    const big = await client.nextOf('error')
    expect(big.data.code).toBe('MESSAGE_TOO_BIG')
    expect(big.data.details.max_bytes).toBe(512)
    expect((await client.request({ action: 'ping', id: 'still-open' })).data.id).toBe('still-open')
    client.close()
  }, 20_000)

  it('should close a frame beyond the hard cap with 1009', async () => {
    const client = await connect()
    client.send(`{"action":"ping","x":"${'y'.repeat(70 * 1024)}"}`)
    expect((await closedWithin(client, 10_000)).code).toBe(1009)
  }, 20_000)
})
