/** What an idle connection costs in heap objects, and what a heartbeat visit allocates (issue 16): counted with bun:jsc heapStats after full collections. */
import { heapStats } from 'bun:jsc'
import { describe, expect, it } from 'bun:test'
import { MemoryConnectionCounter } from '../adapters/memory/memory-connection-counter'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { createSilentLog } from '../../test/support/silent-log'
import type { Principal } from '../ports/token-verifier'
import { ConnectionActor, connectionSignals, type ConnectionContext, type StreamSocket } from './connection-actor'

const heartbeatMs = 20_000
const limits = {
  maxSubscriptions: 50,
  maxConnectionsPerUser: 100_000,
  maxConnectionsPerProcess: 100_000,
  heartbeatMs,
  maxMessageBytes: 4096,
  messagesPerSecond: 10,
  flushMs: 100,
  derivedMs: 1000,
  sendBufferBytes: 1 << 20,
}

/** One socket for all: what is counted is the connection, not a test double per connection. */
const socket: StreamSocket = {
  send: (text) => text.length,
  close() {},
  terminate() {},
  ping() {},
  subscribe() {},
  unsubscribe() {},
  getBufferedAmount: () => 0,
}

function context(clock: SimulatedClock, scheduled: Map<ConnectionActor, number>): ConnectionContext {
  return {
    clock,
    log: createSilentLog(),
    limits,
    verifier: { verify: async () => Promise.reject(new Error('not used')) },
    watchlist: { missing: async () => [] },
    counter: new MemoryConnectionCounter(),
    fanout: { attach() {}, detach() {}, setConflating() {}, latest: () => [] },
    upstreamHealth: () => ({ upstream: 'ok' }),
    userConnections: () => 1,
    scheduleSweep: (conn, at) => void scheduled.set(conn, at),
    membershipChanged() {},
    userEventsHeard: async () => {},
    isRevoked: async () => false,
    softBufferBytes: 1 << 18,
    maxBehindMs: 5000,
    closeGraceMs: 5000,
  }
}

const objects = () => {
  Bun.gc(true)
  Bun.gc(true)
  return heapStats().objectCount
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

describe('ConnectionActor memory', () => {
  it('should hold an idle admitted connection in at most three heap objects (the actor, its session and one spare)', async () => {
    const n = 2000
    const clock = new SimulatedClock(1_700_000_000_000)
    const ctx = context(clock, new Map())
    // Ids and principals exist before the baseline: the handshake made them, the connection only keeps them.
    const ids = Array.from({ length: n }, (_, i) => `node-${i}`)
    const principal: Principal = { userId: 7, email: 'u@example.com', exp: 2e9, jti: 'j', iat: 0, authTime: 0 }
    const held: ConnectionActor[] = []
    const before = objects()
    for (const id of ids) {
      const conn = new ConnectionActor(id, principal, socket, ctx)
      conn.send(connectionSignals.opened)
      held.push(conn)
    }
    await settle()
    expect(held.every((c) => c.status === 'running')).toBe(true)
    const perConnection = (objects() - before) / n
    // Was 13: a mailbox array, a listener set, a failure closure and its scope, a subscription set,
    // an inbound policy of four objects and a delivery of two, made for every connection.
    expect(perConnection).toBeLessThanOrEqual(3)
  })

  it('should allocate no closure scope when a heartbeat visits a connection', () => {
    const n = 1000
    const clock = new SimulatedClock(1_700_000_000_000)
    const scheduled = new Map<ConnectionActor, number>()
    const ctx = context(clock, scheduled)
    const principal: Principal = { userId: 7, email: 'u@example.com', exp: 2e9, jti: 'j', iat: 0, authTime: 0 }
    const held = Array.from({ length: n }, (_, i) => new ConnectionActor(`c-${i}`, principal, socket, ctx))
    clock.advance(heartbeatMs)
    for (const conn of held) conn.heard()
    objects()
    const scopes = () => heapStats().objectTypeCounts.JSLexicalEnvironment ?? 0
    const before = scopes()
    for (const conn of held) conn.sweep()
    const made = scopes() - before
    expect(held.every((c) => (scheduled.get(c) ?? 0) > clock.now())).toBe(true)
    // Was one per visit: the mailbox's drain loop held the closures of the async path.
    expect(made).toBeLessThan(n / 10)
  })
})
