/** Slow consumers over real sockets: a client that stops reading is conflated (latest value wins), recovers when it reads again, and is closed 4002 when it stays behind. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { FirehoseFeed } from '../support/firehose-feed'
import { RawWebSocket } from '../support/raw-ws'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

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
    await waitFor(() => ws.messages.some((m) => m.type === 'subscribed'))
    return ws
  }
  /** Emits trades in chunks across event-loop turns for `ms`, like a busy feed. */
  async function pump(ms: number) {
    const until = Date.now() + ms
    while (Date.now() < until) {
      feed.emit('AAPL', 300)
      await Bun.sleep(2)
    }
  }
  const statuses = (ws: RawWebSocket) => ws.messages.filter((m) => m.type === 'status').map((m) => m.data.delivery)

  it('should conflate a client that stops reading and deliver the latest values when it reads again', async () => {
    const ws = await reader()
    ws.pause()
    await pump(700)
    expect(app.stream.status().conflating).toBe(1)
    ws.resume()
    await waitFor(() => statuses(ws).at(-1) === 'realtime' && statuses(ws).includes('conflated'), 5000)
    expect(app.stream.status().conflating).toBe(0)
    const trades = ws.messages.filter((m) => m.type === 'trade')
    const seqs = ws.messages.filter((m) => m.symbol === 'AAPL').map((m) => m.seq)
    // Messages were skipped while conflated, visibly: seq jumps, never goes back.
    expect(seqs.some((s, i) => i > 0 && s > seqs[i - 1] + 1)).toBe(true)
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1])).toBe(true)
    const last = feed.last.get('AAPL')!
    expect(trades.at(-1)!.data).toMatchObject({ p: last.p, s: last.s, t: last.t })
    // Back on the topic: a new trade arrives as it happens, right after the previous seq.
    const seqBefore = seqs.at(-1)!
    await Bun.sleep(5)
    feed.emit('AAPL', 1)
    await waitFor(() => ws.messages.filter((m) => m.type === 'trade').at(-1)!.data.t === feed.last.get('AAPL')!.t)
    expect(ws.messages.find((m) => m.symbol === 'AAPL' && m.seq > seqBefore).seq).toBe(seqBefore + 1)
    ws.destroy()
  }, 20_000)

  it('should close a client that stays behind with 4002 and release it', async () => {
    const ws = await reader()
    ws.pause()
    await pump(3000)
    expect(app.stream.status().connections).toBe(0)
    expect(app.stream.status().symbols).toEqual({})
    ws.resume()
    const closed = await Promise.race([ws.ended, Bun.sleep(5000).then(() => null)])
    expect(closed?.code).toBe(4002)
    expect(ws.messages.at(-1).data.code).toBe('SLOW_CONSUMER')
    expect(ws.messages.filter((m) => m.type === 'status').map((m) => m.data.delivery)).toContain('conflated')
  }, 20_000)
})

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await Bun.sleep(10)
  }
}
