/** Slow consumers over real sockets: a client that stops reading is conflated (latest value wins), recovers when it reads again, and is closed 4002 when it stays behind. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FirehoseFeed } from '../support/firehose-feed'
import { RawWebSocket } from '../support/raw-ws'
import { startStreamApp, type StreamApp } from '../support/stream-harness'
import { waitFor, within } from '../support/wait'

describe('stream slow consumer', () => {
  const feed = new FirehoseFeed()
  let app: StreamApp
  let token: string
  beforeAll(async () => {
    app = await startStreamApp(
      { WS_SEND_BUFFER_BYTES: String(64 * 1024), STREAM_FLUSH_MS: '0' },
      { feed, tuning: { maxBehindMs: 2000 } },
    )
    ;({ token } = await app.http.signUp())
    expect((await app.http.post('/api/v1/watchlist', { ticker: 'AAPL' })).status).toBe(201)
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  async function reader() {
    const ws = await RawWebSocket.connect(Number(new URL(app.url).port), `/api/v1/market-data/stream?token=${token}`)
    ws.send(JSON.stringify({ action: 'subscribe', symbols: ['AAPL'] }))
    await waitFor(() => ws.messages.some((m) => m.type === 'subscribed'), 10_000, 'the subscribe answered')
    return ws
  }
  /** Emits trades in chunks of 300 every 2 ms (the firehose's pace: timers and sockets run between), like a busy feed, until `done()`. */
  async function pumpUntil(done: () => boolean, label: string, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms pumping until: ${label}`)
      feed.emit('AAPL', 300)
      await Bun.sleep(2)
    }
  }
  /** Every message the server sent before has arrived once the pong of a ping sent now arrives. */
  async function barrier(ws: RawWebSocket, id: string) {
    ws.send(JSON.stringify({ action: 'ping', id }))
    await waitFor(() => ws.messages.some((m) => m.type === 'pong' && m.data?.id === id), 10_000, 'the barrier pong')
  }
  const statuses = (ws: RawWebSocket) => ws.messages.filter((m) => m.type === 'status').map((m) => m.data.delivery)

  it('should conflate a client that stops reading and deliver the latest values when it reads again', async () => {
    const ws = await reader()
    ws.pause()
    await pumpUntil(() => app.stream.status().conflating === 1, 'the reader conflated')
    expect(app.stream.status().conflating).toBe(1)
    ws.resume()
    await waitFor(() => statuses(ws).at(-1) === 'realtime' && statuses(ws).includes('conflated'), 10_000, 'realtime again')
    expect(app.stream.status().conflating).toBe(0)
    const trades = ws.messages.filter((m) => m.type === 'trade')
    const seqs = ws.messages.filter((m) => m.symbol === 'AAPL').map((m) => m.seq)
    // Messages were skipped while conflated, visibly: seq jumps, never goes back.
    expect(seqs.some((s, i) => i > 0 && s > seqs[i - 1] + 1)).toBe(true)
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1])).toBe(true)
    const last = feed.last.get('AAPL')!
    expect(trades.at(-1)!.data).toMatchObject({ p: last.p, s: last.s, t: last.t })
    // Back on the topic: a new trade arrives as it happens, right after the previous seq.
    await barrier(ws, 'caught-up')
    const seqBefore = ws.messages.filter((m) => m.symbol === 'AAPL').at(-1)!.seq
    feed.emit('AAPL', 1)
    await waitFor(
      () => {
        const [got, sent] = [ws.messages.filter((m) => m.type === 'trade').at(-1)!.data, feed.last.get('AAPL')!]
        return got.t === sent.t && got.p === sent.p && got.s === sent.s
      },
      10_000,
      'the new trade',
    )
    expect(ws.messages.find((m) => m.symbol === 'AAPL' && m.seq > seqBefore).seq).toBe(seqBefore + 1)
    ws.destroy()
  }, 20_000)

  it('should close a client that stays behind with 4002 and release it', async () => {
    const ws = await reader()
    ws.pause()
    // Behind for longer than maxBehindMs (2 s of the app's clock): the server gives up on it.
    await pumpUntil(() => app.stream.status().connections === 0, 'the server to close the reader')
    expect(app.stream.status().connections).toBe(0)
    expect(app.stream.status().symbols).toEqual({})
    ws.resume()
    const closed = await within(ws.ended, 10_000, 'the close to reach the reader')
    expect(closed?.code).toBe(4002)
    expect(ws.messages.at(-1).data.code).toBe('SLOW_CONSUMER')
    expect(ws.messages.filter((m) => m.type === 'status').map((m) => m.data.delivery)).toContain('conflated')
  }, 20_000)
})
