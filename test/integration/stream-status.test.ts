/** Status over real sockets: a user's other connections hear of connection-count changes, coalesced so that a reconnect storm of n tabs costs O(n) statuses, not O(n²). */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

describe('stream status', () => {
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp({ WS_MAX_CONNECTIONS_PER_USER: '30' })
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  it('should tell every connection the final count after a burst of connects, in a few statuses rather than one per connect', async () => {
    const { token } = await app.http.signUp()
    const clients = Array.from({ length: 25 }, () => StreamClient.connect(`${app.wsUrl}?token=${token}`))
    for (const c of clients) await c.nextOf('welcome')
    const settled = (c: StreamClient) => c.ofType('status').at(-1)?.data.connections.used === 25
    const deadline = Date.now() + 3000
    while (!clients.every(settled) && Date.now() < deadline) await Bun.sleep(20)
    expect(clients.filter((c) => !settled(c)).length).toBe(0)
    const statuses = clients.map((c) => c.ofType('status').length)
    // One at admission plus one per 250 ms round while the burst lasted; never one per other connect.
    expect(Math.max(...statuses)).toBeLessThanOrEqual(6)
    expect(statuses.reduce((a, b) => a + b, 0)).toBeLessThan(25 * 6)

    clients[0]!.close()
    await clients[0]!.closed
    await Bun.sleep(400)
    for (const c of clients.slice(1)) expect(c.ofType('status').at(-1)!.data.connections.used).toBe(24)
    for (const c of clients.slice(1)) c.close()
  }, 20_000)
})
