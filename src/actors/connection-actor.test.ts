import { describe, expect, it } from 'bun:test'
import { createTokenIssuer } from '../adapters/auth/token-issuer'
import { createTokenVerifier } from '../adapters/auth/token-verifier'
import { MemoryBus } from '../adapters/memory/memory-bus'
import { MemoryConnectionCounter } from '../adapters/memory/memory-connection-counter'
import { MemorySymbolRegistry } from '../adapters/memory/memory-symbol-registry'
import { createSilentLog } from '../../test/support/silent-log'
import { marketMessage, symbolTopic } from '../contract/protocol'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { LocalFanout } from '../stream/fanout'
import { ConnectionActor, type ConnectionContext, type StreamSocket } from './connection-actor'
import { Changes } from '../../test/support/wait'

/** Id of the pings the tests send as a barrier: their pongs are kept out of `sent`. */
const barrierId = 'barrier'

class FakeSocket implements StreamSocket {
  sent: any[] = []
  closed: { code: number; reason: string } | null = null
  /** Barrier pongs received (not in `sent`). */
  barrierPongs = 0
  readonly changes = new Changes()
  topics = new Set<string>()
  pings = 0
  buffered = 0
  send(text: string) {
    const message = JSON.parse(text)
    if (message.type === 'pong' && message.data?.id === barrierId) this.barrierPongs++
    else this.sent.push(message)
    this.changes.changed()
    return text.length
  }
  close(code: number, reason: string) {
    this.closed = { code, reason }
    this.changes.changed()
  }
  terminate() {}
  ping() {
    this.pings++
  }
  subscribe(t: string) {
    this.topics.add(t)
  }
  unsubscribe(t: string) {
    this.topics.delete(t)
  }
  getBufferedAmount() {
    return this.buffered
  }
  last(type: string) {
    return this.sent.filter((m) => m.type === type).at(-1)
  }
}

const limits = {
  maxSubscriptions: 5,
  maxConnectionsPerUser: 1,
  maxConnectionsPerProcess: 100,
  heartbeatMs: 1000,
  maxMessageBytes: 1024,
  messagesPerSecond: 10,
  flushMs: 0,
  derivedMs: 1000,
  sendBufferBytes: 64_000,
}

function setup(revokedJtis: ReadonlySet<string> = new Set(), overrides: Partial<ConnectionContext> = {}) {
  const clock = new SimulatedClock(1_000_000)
  const registry = new MemorySymbolRegistry()
  const topicPublishes: string[] = []
  const fanout = new LocalFanout(
    {
      bus: new MemoryBus(),
      registry,
      publish: (topic) => (topicPublishes.push(topic), 1),
      requestReplay: () => {},
      pressureCheckBytes: 8000,
    },
    clock,
  )
  const counter = new MemoryConnectionCounter()
  const secret = 'actor-test-secret-0123456789-abcdefghij'
  const issuer = createTokenIssuer(secret, clock, 120)
  const context: ConnectionContext = {
    clock,
    log: createSilentLog(),
    limits,
    verifier: createTokenVerifier(secret, clock),
    watchlist: { missing: async (_u, tickers) => tickers.filter((t) => t === 'TSLA') },
    counter,
    fanout,
    upstreamHealth: () => ({ upstream: 'ok' }),
    userConnections: (u) => counter.localCount(String(u)),
    membershipChanged: () => {},
    userEventsHeard: async () => {},
    isRevoked: async (p) => revokedJtis.has(p.jti),
    scheduleSweep: () => {},
    softBufferBytes: 16_000,
    maxBehindMs: 5000,
    closeGraceMs: 5000,
    ...overrides,
  }
  /**
   * Opens a connection and waits until its admission is over: by default until it was told its
   * status (admitted) or closed (refused); `admitted` may ask for less, e.g. only the welcome.
   */
  const open = async (
    id = 'c1',
    exp = clock.now() / 1000 + 3600,
    admitted = (s: FakeSocket) => s.closed !== null || s.last('status') !== undefined,
  ) => {
    const socket = new FakeSocket()
    const conn = new ConnectionActor(
      id,
      { userId: 7, email: 'u@example.com', exp, jti: `jti-${id}`, iat: 0, authTime: 0 },
      socket,
      context,
    )
    conn.send({ type: 'opened' })
    await socket.changes.until(() => admitted(socket), `connection ${id} admitted or refused`)
    return { socket, conn }
  }
  /** Every frame sent before has been handled once the pong of a ping sent after it is out (frames are handled in order). */
  const barrier = async (socket: FakeSocket, conn: ConnectionActor) => {
    const pongs = socket.barrierPongs + 1
    conn.frameArrived(JSON.stringify({ action: 'ping', id: barrierId }))
    await socket.changes.until(() => socket.barrierPongs >= pongs, 'the barrier pong')
  }
  const frame = async (conn: ConnectionActor, body: object, socket: FakeSocket) => {
    conn.frameArrived(JSON.stringify(body))
    await barrier(socket, conn)
  }
  /** The reply to the request with `id`, once the actor has sent it (a refresh verifies its token asynchronously). */
  const replyTo = async (socket: FakeSocket, id: string) => {
    await socket.changes.until(() => socket.sent.some((m) => m.data?.id === id), `the reply to ${id}`)
    return socket.sent.find((m) => m.data?.id === id)
  }
  return { clock, fanout, counter, registry, open, frame, barrier, replyTo, issuer, topicPublishes }
}
const trade = (seq: number, p: number) =>
  marketMessage({ type: 'trade', symbol: 'AAPL', seq, epoch: 'e', eventTs: 0, ts: 0, source: 'simulated', data: { p } })

describe('ConnectionActor', () => {
  it('should welcome an admitted connection and refuse one beyond the per-user cap with 4504', async () => {
    const { open } = setup()
    const a = await open('a')
    expect(a.socket.sent.map((m) => m.type)).toEqual(['welcome', 'status'])
    expect(a.socket.topics.size).toBe(0)
    const b = await open('b')
    expect(b.socket.sent.map((m) => m.data.code)).toEqual(['CONNECTION_LIMIT'])
    expect(b.socket.closed).toEqual({ code: 4504, reason: 'CONNECTION_LIMIT' })
  })

  it('should ping every heartbeat and close a silent connection with 4001, releasing everything', async () => {
    const { clock, open, frame, fanout, counter, registry } = setup()
    const { socket, conn } = await open()
    await frame(conn, { action: 'subscribe', symbols: ['AAPL'] }, socket)
    expect(fanout.symbols()).toEqual({ AAPL: 1 })
    for (let i = 0; i < 8; i++) {
      clock.advance(250)
      conn.sweep()
    }
    expect(socket.pings).toBe(2)
    expect(socket.closed).toBeNull()
    clock.advance(1)
    conn.sweep()
    expect(socket.closed).toEqual({ code: 4001, reason: 'HEARTBEAT_TIMEOUT' })
    expect(fanout.symbols()).toEqual({})
    expect(counter.localCount('7')).toBe(0)
    expect(await registry.wantedUnion()).toEqual([])
  })

  it('should stay open while pongs arrive', async () => {
    const { clock, open } = setup()
    const { socket, conn } = await open()
    for (let i = 0; i < 40; i++) {
      clock.advance(250)
      if (i % 4 === 0) conn.heard()
      conn.sweep()
    }
    expect(socket.closed).toBeNull()
  })

  it('should close with 4502 at admission when a sign-out covered its token after the handshake checked it', async () => {
    const { open } = setup(new Set(['jti-late']))
    const { socket } = await open('late')
    expect(socket.closed?.code).toBe(4502)
    expect(socket.sent.at(-1)?.data).toMatchObject({ code: 'TOKEN_EXPIRED', details: { cause: 'TOKEN_REVOKED' } })
    const { socket: other } = await open('kept')
    expect(other.closed).toBeNull()
  })

  it('should ask the revocation store only once the bus confirmed the user topic, so a sign-out unheard before is honoured', async () => {
    const revoked = new Set<string>()
    const waited: number[] = []
    let confirm!: () => void
    const confirmed = new Promise<void>((resolve) => (confirm = resolve))
    const asked: string[] = []
    const { open } = setup(revoked, {
      userEventsHeard: (userId) => (waited.push(userId), confirmed),
      isRevoked: async (p) => (asked.push(p.jti), revoked.has(p.jti)),
    })
    const { socket, conn } = await open('racing', undefined, (s) => s.last('welcome') !== undefined)
    expect({ waited, asked, sent: socket.sent.map((m) => m.type) }).toEqual({
      waited: [7],
      asked: [],
      sent: ['welcome'],
    })
    // Signed out (and published on the bus, unheard: not yet subscribed) while the SUBSCRIBE is on its way.
    revoked.add('jti-racing')
    const stopping = new Promise<void>((resolve) => conn.onStatusChange((s) => s === 'stopping' && resolve()))
    confirm()
    await stopping
    expect(asked).toEqual(['jti-racing'])
    expect(socket.closed).toEqual({ code: 4502, reason: 'TOKEN_EXPIRED' })
    expect(socket.sent.at(-1)?.data).toMatchObject({ code: 'TOKEN_EXPIRED', details: { cause: 'TOKEN_REVOKED' } })
  })

  it('should close with 4502 when the token expires', async () => {
    const { clock, open } = setup()
    const { socket, conn } = await open('c', (clock.now() + 700) / 1000)
    clock.advance(500)
    conn.sweep()
    expect(socket.closed).toBeNull()
    clock.advance(250)
    conn.sweep()
    expect(socket.closed?.code).toBe(4502)
  })

  it('should move its expiry to a refreshed token of the same user and ignore another user’s', async () => {
    const { clock, open, frame, replyTo, issuer } = setup()
    const { socket, conn } = await open('r', (clock.now() + 5_000) / 1000)
    expect(socket.last('welcome').data.token_expires_at).toBe(clock.now() + 5_000)
    const other = await issuer.issue({ id: 8, email: 'other@example.com' })
    await frame(conn, { action: 'refresh', token: other.token, id: 'r1' }, socket)
    expect((await replyTo(socket, 'r1')).data.code).toBe('TOKEN_USER_MISMATCH')
    const mine = await issuer.issue({ id: 7, email: 'u@example.com' })
    await frame(conn, { action: 'refresh', token: mine.token, id: 'r2' }, socket)
    expect(await replyTo(socket, 'r2')).toMatchObject({
      type: 'refreshed',
      data: { token_expires_at: mine.exp * 1000 },
    })
    expect(conn.principal.jti).toBe(mine.jti)
    for (let i = 0; i < 40; i++) {
      clock.advance(250)
      conn.heard()
      conn.sweep()
    }
    expect(socket.closed).toBeNull()
  })

  it('should conflate under backpressure, flush the latest values once drained, and return to the topic', async () => {
    const { clock, open, frame, fanout } = setup()
    const { socket, conn } = await open()
    await frame(conn, { action: 'subscribe', symbols: ['AAPL'] }, socket)
    expect(socket.topics.has(symbolTopic('AAPL'))).toBe(true)
    socket.buffered = 20_000
    conn.checkPressure()
    expect(socket.topics.has(symbolTopic('AAPL'))).toBe(false)
    expect(socket.last('status').data.delivery).toBe('conflated')
    for (let i = 1; i <= 5; i++) fanout.deliver('AAPL', trade(i, i))
    expect(socket.sent.filter((m) => m.type === 'trade')).toHaveLength(0)
    socket.buffered = 1000
    conn.send({ type: 'drained' })
    expect(socket.sent.filter((m) => m.type === 'trade').map((m) => m.seq)).toEqual([5])
    expect(socket.topics.has(symbolTopic('AAPL'))).toBe(true)
    expect(socket.last('status').data.delivery).toBe('realtime')
    // Staying behind past the bound closes 4002.
    socket.buffered = 20_000
    conn.checkPressure()
    for (let i = 0; i < 21; i++) {
      clock.advance(250)
      conn.heard()
      conn.sweep()
    }
    expect(socket.closed).toEqual({ code: 4002, reason: 'SLOW_CONSUMER' })
  })

  it('should close at once when the buffer passes the hard bound', async () => {
    const { open } = setup()
    const { socket, conn } = await open()
    socket.buffered = 70_000
    conn.checkPressure()
    expect(socket.closed?.code).toBe(4002)
  })

  it('should end a subscription removed from the watchlist with a reason', async () => {
    const { open, frame } = setup()
    const { socket, conn } = await open()
    await frame(conn, { action: 'subscribe', symbols: ['AAPL', 'MSFT'] }, socket)
    conn.send({ type: 'watchlistRemoved', ticker: 'AAPL' })
    expect(socket.last('subscribed').data).toEqual({
      symbols: ['MSFT'],
      added: [],
      removed: ['AAPL'],
      reason: 'NOT_IN_WATCHLIST',
    })
    conn.send({ type: 'watchlistRemoved', ticker: 'NVDA' })
    expect(socket.sent.filter((m) => m.type === 'subscribed')).toHaveLength(2)
  })

  it('should handle requests in arrival order even while a subscribe waits for the watchlist', async () => {
    const { open, barrier } = setup()
    const { socket, conn } = await open()
    conn.frameArrived(JSON.stringify({ action: 'subscribe', symbols: ['AAPL'] }))
    conn.frameArrived(JSON.stringify({ action: 'ping', id: 1 }))
    conn.frameArrived(JSON.stringify({ action: 'unsubscribe', symbols: ['AAPL'] }))
    await barrier(socket, conn)
    expect(socket.sent.slice(2).map((m) => m.type)).toEqual(['subscribed', 'status', 'pong', 'subscribed', 'status'])
    expect(socket.last('subscribed').data.symbols).toEqual([])
  })
})
