/** The per-process stream cap over real sockets: beyond WS_MAX_CONNECTIONS an upgrade is refused at once with 4005 SERVER_FULL and /readyz says so. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { closedWithin, StreamClient } from '../support/stream-client'
import { startStreamApp, type StreamApp } from '../support/stream-harness'

describe('stream capacity of one process', () => {
  let app: StreamApp
  beforeAll(async () => {
    app = await startStreamApp({ WS_MAX_CONNECTIONS: '2' })
  }, 30_000)
  afterAll(() => app.stop(), 30_000)

  const connect = async (token: string) => {
    const client = StreamClient.connect(`${app.wsUrl}?token=${token}`)
    await client.nextOf('welcome')
    return client
  }
  const readiness = async () => {
    const res = await fetch(`${app.url}/readyz`)
    return { status: res.status, capacity: ((await res.json()) as { checks: Record<string, string> }).checks.stream_capacity }
  }

  it('should refuse a stream beyond the cap with 4005 SERVER_FULL, turn /readyz 503, and admit again after a close', async () => {
    const tokens = await Promise.all([0, 1, 2].map(async () => (await app.http.signUp()).token))
    const first = await connect(tokens[0]!)
    const second = await connect(tokens[1]!)
    expect(await readiness()).toEqual({ status: 503, capacity: 'failing' })

    // A third user (not a per-user limit): refused before any token work, with the documented code and a reason.
    const third = StreamClient.connect(`${app.wsUrl}?token=${tokens[2]}`)
    const closed = await closedWithin(third, 5000)
    expect(closed.code).toBe(4005)
    expect(third.messages.map((m) => [m.type, m.data.code])).toEqual([['error', 'SERVER_FULL']])

    second.close()
    await second.closed
    expect(await readiness()).toEqual({ status: 200, capacity: 'ok' })
    const again = await connect(tokens[2]!)
    again.close()
    first.close()
  }, 20_000)

  it('should answer a plain GET on the stream path with 426 and the error envelope', async () => {
    const res = await fetch(`${app.url}/api/v1/market-data/stream`)
    expect(res.status).toBe(426)
    const body = (await res.json()) as { error: { code: string; request_id: string } }
    expect(body.error.code).toBe('UPGRADE_REQUIRED')
    expect(body.error.request_id).toBe(res.headers.get('x-request-id')!)
  })
})
