/** Status over real sockets: a user's other connections hear of connection-count changes, coalesced so that a reconnect storm of n tabs costs O(n) statuses, not O(n²). */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { userStatusCoalesceMs } from '../../src/stream/connections'
import { StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'
import { waitFor } from '../support/wait'

describe('stream status', () => {
  // Status rounds run on the app's clock: the test moves it, so a slow machine cannot stretch the burst over more rounds.
  const clock = new SimulatedClock(Date.now())
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp({ WS_MAX_CONNECTIONS_PER_USER: '30' }, { clock })
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  it('should tell every connection the final count after a burst of connects, in a few statuses rather than one per connect', async () => {
    const { token } = await app.http.signUp()
    const clients = Array.from({ length: 25 }, () => StreamClient.connect(`${app.wsUrl}?token=${token}`))
    // The burst lasts two coalescing rounds of the app's clock: the first connects, a round, the rest, a round.
    for (const c of clients.slice(0, 12)) await c.nextOf('status')
    clock.advance(userStatusCoalesceMs)
    for (const c of clients.slice(12)) await c.nextOf('status')
    clock.advance(userStatusCoalesceMs)
    const settled = (c: StreamClient) => c.ofType('status').at(-1)?.data.connections.used === 25
    await Promise.all(clients.map((c) => c.until(() => settled(c), 'a status with 25 connections')))
    expect(clients.filter((c) => !settled(c)).length).toBe(0)
    const statuses = clients.map((c) => c.ofType('status').length)
    // One at admission plus one per 250 ms round while the burst lasted; never one per other connect.
    expect(Math.max(...statuses)).toBeLessThanOrEqual(6)
    expect(statuses.reduce((a, b) => a + b, 0)).toBeLessThan(25 * 6)

    clients[0]!.close()
    await clients[0]!.closed
    await waitFor(() => app.stream.status().connections === 24, 10_000, 'the server to release the closed connection')
    clock.advance(userStatusCoalesceMs)
    await Promise.all(
      clients.slice(1).map((c) => c.until(() => c.ofType('status').at(-1)?.data.connections.used === 24, 'a status with 24')),
    )
    for (const c of clients.slice(1)) expect(c.ofType('status').at(-1)!.data.connections.used).toBe(24)
    for (const c of clients.slice(1)) c.close()
  }, 20_000)
})
