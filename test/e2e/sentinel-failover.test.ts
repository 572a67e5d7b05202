/** Three replica processes behind Redis Sentinel (a private primary, one replica, three Sentinels): the primary killed under streaming clients and sign-outs. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { api, ReplicaProcess } from '../support/replica-processes'
import { metricOf, ReplicaCluster, type ClusterClient } from '../support/replica-cluster'
import { SentinelDeployment } from '../support/sentinel-harness'
import { receivedSince } from '../support/stream-sequences'
import { waitFor } from '../support/wait'

/** README, Running several replicas › Redis Sentinel: from the Sentinels' promotion to trades on every client again. */
const resumeBoundMs = 5000

describe('three replica processes behind Redis Sentinel, the primary killed', () => {
  const redis = new SentinelDeployment()
  const cluster = new ReplicaCluster(redis.env, 'sentinel')
  const timings: Record<string, number> = {}

  beforeAll(async () => {
    await redis.start()
    await cluster.start(['r1', 'r2', 'r3'], 16)
  }, 90_000)

  afterAll(async () => {
    await cluster.stop()
    await redis.stop()
    console.log(`sentinel failover: ${JSON.stringify(timings)}`)
  }, 30_000)

  const signedOut: string[] = []
  async function signOut(token: string, replica: ReplicaProcess): Promise<void> {
    const res = await api(replica.url, 'POST', '/api/v1/auth/logout', { token })
    expect(res.status).toBe(204)
    signedOut.push(token)
  }

  it('should give every client trades again within 5 s of the promotion, one upstream holder at a time, and lose no acknowledged sign-out', async () => {
    const [r1, r2, r3] = cluster.replicas as [ReplicaProcess, ReplicaProcess, ReplicaProcess]
    const old = await cluster.holder()
    const list: ClusterClient[] = []
    for (let i = 0; i < 6; i++) {
      const replica = cluster.replicas[i % 3]!
      list.push(await cluster.connect(replica.wsUrl, cluster.tokens[i]!, replica))
    }
    await cluster.allReceiving(
      list,
      list.map(() => 0),
    )
    const spare = cluster.tokens.slice(6)
    // Sign-outs replicated before the failover, then ones the primary acknowledges while its replica lags.
    for (const [i, token] of spare.slice(0, 3).entries()) await signOut(token, cluster.replicas[i]!)
    redis.link.hold()
    await Promise.all(spare.slice(3, 6).map((token, i) => signOut(token, cluster.replicas[i]!)))

    const readiness = watchReadiness(cluster.replicas)
    const { promoted } = await redis.watchPromotion()
    const killedAt = Date.now()
    await redis.primary.kill()
    // Sign-outs while no primary answers: acknowledged from each replica's own copy.
    await Promise.all(spare.slice(6, 9).map((token, i) => signOut(token, cluster.replicas[i]!)))
    const promotion = await promoted
    const marks = list.map(({ client }) => client.messages.length)
    timings.promotedAfterKillMs = promotion.at - killedAt
    expect(promotion.newPort).toBe(redis.replica.port)

    const resumed = await Promise.all(
      list.map(async ({ client }, i) => {
        await receivedSince(client, marks[i]!, (m) => m.type === 'trade', 20_000)
        return Date.now() - promotion.at
      }),
    )
    timings.tradesAfterPromotionMs = Math.max(...resumed)
    expect(timings.tradesAfterPromotionMs).toBeLessThanOrEqual(resumeBoundMs)
    const next = await cluster.holder()
    timings.holderChanged = next.nodeId === old.nodeId ? 0 : 1
    expect(cluster.mostFeedConnections()).toBe(1) // one upstream holder at a time, all along
    // Every client is told the feed is ok again; every replica is ready again, its bus proven by its canary.
    await Promise.all(
      list.map(({ client }) =>
        client.until(
          () => client.messages.findLast((m) => m.type === 'status')?.data.upstream === 'ok',
          'status ok',
          10_000,
        ),
      ),
    )
    const seen = await readiness.stop()
    expect(seen.busFailing).toBeGreaterThan(0) // /readyz said so while messages between replicas could be lost
    for (const replica of [r1, r2, r3]) {
      const ready = await api(replica.url, 'GET', '/readyz')
      expect({ name: replica.name, status: ready.status, bus: ready.json.checks.bus }).toEqual({
        name: replica.name,
        status: 200,
        bus: 'ok',
      })
      expect(await metricOf(replica, 'marketwatch_bus_canary_returned_total')).toBeGreaterThan(0)
    }
    timings.canaryMissed = (
      await Promise.all([r1, r2, r3].map((r) => metricOf(r, 'marketwatch_bus_canary_missed_total')))
    ).reduce((a, b) => a + b, 0)

    // No acknowledged sign-out lost: refused by every replica, and by one started now that knows only Redis.
    const newcomer = await ReplicaProcess.start('r4', cluster.env)
    cluster.replicas.push(newcomer)
    expect(signedOut).toHaveLength(9)
    for (const token of signedOut)
      await waitFor(
        async () => {
          const answers = await Promise.all(cluster.alive().map((r) => api(r.url, 'GET', '/api/v1/auth/me', { token })))
          return answers.every((a) => a.status === 401 && a.json?.error?.code === 'TOKEN_REVOKED')
        },
        10_000,
        'every acknowledged sign-out refused on every replica, the new one too',
      )
  }, 120_000)
})

/** Polls every replica's /readyz until stopped; counts answers whose bus check was failing. */
function watchReadiness(replicas: ReplicaProcess[]): { stop(): Promise<{ busFailing: number }> } {
  let running = true
  let busFailing = 0
  const loop = (async () => {
    while (running) {
      const answers = await Promise.all(replicas.map((r) => api(r.url, 'GET', '/readyz').catch(() => null)))
      busFailing += answers.filter((a) => a?.json?.checks?.bus === 'failing').length
      await Bun.sleep(100)
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return { busFailing }
    },
  }
}
