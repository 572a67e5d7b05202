/** The app-level heartbeat over real sockets on a clock the test moves: every connection hears one each keepalive interval (announced in `welcome`), while pings and the 4001 timeout keep the slower heartbeat. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

describe('stream keepalive', () => {
  const clock = new SimulatedClock(Date.now())
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp({}, { clock })
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  /** Every frame the server sent before has arrived once the pong of a ping sent now arrives. */
  const barrier = async (client: StreamClient, id: string) =>
    expect((await client.request({ action: 'ping', id })).data.id).toBe(id)

  it('should send every connection a heartbeat each keepalive interval (2 s) and announce it in welcome', async () => {
    const clients: StreamClient[] = []
    for (let i = 0; i < 3; i++) {
      const { token } = await app.http.signUp()
      const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
      const welcome = await client.nextOf('welcome')
      expect(welcome.data).toMatchObject({ heartbeat_ms: 20_000, keepalive_ms: 2000 })
      await client.nextOf('status')
      clients.push(client)
    }
    // Wherever the keepalive timer stands, one interval brings each connection a heartbeat; then exactly one per 2 s.
    clock.advance(2000)
    await Promise.all(clients.map((c) => c.until(() => c.ofType('heartbeat').length >= 1, 'the first heartbeat')))
    const base = clients.map((c) => c.ofType('heartbeat').length)
    for (let round = 1; round <= 5; round++) {
      clock.advance(2000)
      await Promise.all(clients.map((c, i) => c.until(() => c.ofType('heartbeat').length === base[i] + round, `heartbeat ${round}`)))
    }
    await Promise.all(clients.map((c, i) => barrier(c, `after-${i}`)))
    expect(clients.map((c, i) => c.ofType('heartbeat').length - base[i])).toEqual([5, 5, 5])
    for (const c of clients) c.close()
  }, 20_000)
})
