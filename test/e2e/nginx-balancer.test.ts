/** The shipped nginx configuration in front of three replica processes (one private Redis, one PostgreSQL): clients stream through it, and a replica's graceful stop moves its clients to the others without a degraded status anywhere. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { PrivateNginx } from '../support/private-nginx'
import { PrivateRedisServer } from '../support/redis-harness'
import { api, type ReplicaProcess } from '../support/replica-processes'
import { metricOf, ReplicaCluster, type ClusterClient } from '../support/replica-cluster'
import { closedWithin } from '../support/stream-client'
import { isMarket, receivedSince } from '../support/stream-sequences'
import { streamPath } from '../../src/stream/stream-module'

describe('three replicas behind the shipped nginx configuration', () => {
  const redis = new PrivateRedisServer()
  const cluster = new ReplicaCluster({ REDIS_URL: redis.url, TRUST_PROXY_HOPS: '1' }, 'nginx')
  let nginx: PrivateNginx
  const timings: Record<string, number> = {}

  beforeAll(async () => {
    await redis.start()
    await cluster.start(['r1', 'r2', 'r3'], 9)
    nginx = new PrivateNginx(cluster.replicas.map((r) => r.url))
    await nginx.start()
  }, 90_000)

  afterAll(async () => {
    await nginx?.stop()
    await cluster.stop()
    await redis.stop()
    console.log(`nginx balancer: ${JSON.stringify(timings)}`)
  }, 30_000)

  const streams = (replica: ReplicaProcess) => metricOf(replica, 'marketwatch_stream_connections')
  const statuses = (entry: ClusterClient) =>
    entry.client.messages.filter((m) => m.type === 'status').map((m) => m.data.upstream as string)

  /** Opens a stream through nginx, retrying (as the browser client does) while it lands on a replica that is stopping (4000 SERVER_RESTART). */
  async function connectThrough(token: string): Promise<ClusterClient> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await cluster.connect(`${nginx.wsUrl}${streamPath}`, token, null)
      } catch (error) {
        if (attempt >= 10) throw error
        cluster.clients = cluster.clients.filter((c) => c.client.ws.readyState !== WebSocket.CLOSED)
        await Bun.sleep(200 * attempt) // the client's reconnect backoff, not a wait for the test's sake
      }
    }
  }

  it('should pass REST and the stream through, spreading streams over every replica', async () => {
    const login = await api(nginx.url, 'GET', '/api/v1/auth/me', { token: cluster.tokens[0] })
    expect(login.status).toBe(200)
    const list: ClusterClient[] = []
    for (let i = 0; i < 9; i++) list.push(await connectThrough(cluster.tokens[i]!))
    await cluster.allReceiving(
      list,
      list.map(() => 0),
    )
    // least_conn: three streams on each replica (no stickiness needed: any replica serves any client).
    expect(await Promise.all(cluster.replicas.map(streams))).toEqual([3, 3, 3])
    for (const { client } of list)
      expect(client.messages.findLast((m) => m.type === 'status')?.data.upstream).toBe('ok')
  }, 60_000)

  it("should move a stopping replica's clients to the others through nginx, no client ever told the feed is degraded", async () => {
    const { replica: holding } = await cluster.holder()
    const stopping = cluster.replicas.find((r) => r !== holding)!
    const list = [...cluster.clients]
    const before = await Promise.all(cluster.replicas.map(streams))
    const onStopping = before[cluster.replicas.indexOf(stopping)]!
    expect(onStopping).toBe(3)
    const marks = list.map(({ client }) => client.messages.length)

    const stoppedAt = Date.now()
    await stopping.stop()
    expect(stopping.exitCode).toBe(0)
    // Its clients were told to come back (4000 SERVER_RESTART); they reconnect through nginx and stream again.
    const closed = list.filter(({ client }) => client.ws.readyState === WebSocket.CLOSED)
    expect(closed).toHaveLength(onStopping)
    for (const { client } of closed) expect((await closedWithin(client, 1000)).code).toBe(4000)
    const reconnected: ClusterClient[] = []
    for (const { client } of closed) {
      const token = new URL(client.ws.url).searchParams.get('token')!
      reconnected.push(await connectThrough(token))
    }
    await cluster.allReceiving(
      reconnected,
      reconnected.map(() => 0),
    )
    timings.movedMs = Date.now() - stoppedAt
    const survivors = cluster.replicas.filter((r) => r !== stopping)
    expect((await Promise.all(survivors.map(streams))).reduce((a, b) => a + b, 0)).toBe(9)

    // The clients that stayed kept streaming and never heard anything but ok.
    const stayed = list.filter((entry) => !closed.includes(entry))
    await Promise.all(stayed.map((entry) => receivedSince(entry.client, marks[list.indexOf(entry)]!, isMarket, 5000)))
    for (const entry of [...stayed, ...reconnected]) expect(statuses(entry).filter((s) => s !== 'ok')).toEqual([])
    for (const replica of survivors) expect((await api(replica.url, 'GET', '/readyz')).status).toBe(200)
    expect(cluster.mostFeedConnections()).toBe(1)
  }, 60_000)
})
