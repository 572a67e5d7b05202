/** Replica processes on a Redis Cluster (a private one: three primaries, three replicas; REDIS_CLUSTER_NODES): symbol events fan out from the upstream holder through sharded Pub/Sub to clients on the other replicas, and come back after a primary is killed. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { RedisClusterDeployment } from '../support/cluster-harness'
import { clusterSymbols, ReplicaCluster, type ClusterClient } from '../support/replica-cluster'
import { commonWindow, latestEpoch, newRun, receivedSince } from '../support/stream-sequences'
import { waitFor } from '../support/wait'

/** README, Running several replicas › Recovery bounds: from the promotion of a killed primary's replica to trades on every client again. */
const resumeBoundMs = 5000

describe('three replica processes on a Redis Cluster', () => {
  const redis = new RedisClusterDeployment()
  const replicas = new ReplicaCluster({ REDIS_CLUSTER_NODES: redis.nodesSetting }, 'redis-cluster')

  beforeAll(async () => {
    await redis.start()
    await replicas.start(['r1', 'r2', 'r3'], 6)
  }, 90_000)

  afterAll(async () => {
    await replicas.stop()
    await redis.stop()
  }, 30_000)

  it('should stream every symbol to a client of the replica that does not hold the feed, identical to the holder’s own clients, through SPUBLISH spread over the primaries', async () => {
    const { replica: holder } = await replicas.holder(20_000)
    const other = replicas.replicas.find((r) => r !== holder)!
    const before = await redis.readings()
    const list: ClusterClient[] = [
      await replicas.connect(other.wsUrl, replicas.tokens[0]!, other),
      await replicas.connect(holder.wsUrl, replicas.tokens[1]!, holder),
      await replicas.connect(other.wsUrl, replicas.tokens[2]!, other),
    ]
    await replicas.allReceiving(
      list,
      list.map(() => 0),
    )
    // From here on every client's new messages of each symbol: over their common seqs, identical (the same seqs, content and order).
    const marks = list.map(({ client }) => client.messages.length)
    const runsOf = (symbol: string) => {
      const epoch = latestEpoch(list[1]!.client, symbol)!
      return list.map(({ client }, i) => newRun(client, symbol, epoch, marks[i]!))
    }
    await waitFor(
      () => clusterSymbols.every((symbol) => commonWindow(runsOf(symbol)).windows.every((window) => window.length >= 3)),
      20_000,
      'three common messages of every symbol on every client',
    )
    for (const symbol of clusterSymbols) {
      const runs = runsOf(symbol)
      const { windows } = commonWindow(runs)
      for (const window of windows.slice(1)) expect(window).toEqual(windows[0]!)
    }
    const after = await redis.readings()
    const spublished = after
      .filter((node) => node.role === 'master')
      .map((node) => node.calls('spublish') - (before.find((b) => b.port === node.port)?.calls('spublish') ?? 0))
    expect(spublished).toHaveLength(3)
    // Five symbols' channels (and the replicas' canaries) on a 3-shard cluster: more than one primary carries them.
    expect(spublished.filter((calls) => calls > 0).length).toBeGreaterThanOrEqual(2)
    expect(after.every((node) => node.calls('publish') === 0)).toBe(true) // no classic PUBLISH, copied to every node
    console.log(`redis cluster replicas: SPUBLISH per primary while streaming: ${spublished.join(', ')}`)
    await replicas.closeAll(list)
  }, 60_000)

  it('should give every client on every replica trades again within 5 s of the promotion after the primary of a symbol’s shard is killed, one feed connection at a time', async () => {
    const list: ClusterClient[] = []
    for (let i = 0; i < 6; i++) {
      const replica = replicas.replicas[i % 3]!
      list.push(await replicas.connect(replica.wsUrl, replicas.tokens[i]!, replica))
    }
    await replicas.allReceiving(
      list,
      list.map(() => 0),
    )
    const channel = `${replicas.env.REDIS_PREFIX}:sym:${clusterSymbols[0]}`
    const victim = await redis.ownerPort(channel)
    const killedAt = Date.now()
    await redis.server(victim).kill()
    await waitFor(
      async () => (await redis.ownerPort(channel).catch(() => victim)) !== victim,
      15_000,
      'a replica promoted in place of the killed primary',
    )
    const promotedAt = Date.now()
    const marks = list.map(({ client }) => client.messages.length)
    const resumed = await Promise.all(
      list.flatMap(({ client }, i) =>
        clusterSymbols.map(async (symbol) => {
          await receivedSince(client, marks[i]!, (m) => m.type === 'trade' && m.symbol === symbol, 20_000)
          return Date.now() - promotedAt
        }),
      ),
    )
    const backMs = Math.max(...resumed)
    console.log(
      `redis cluster replicas: primary killed, promoted ${promotedAt - killedAt} ms later (node timeout 1 s); trades of every symbol on every client ${backMs} ms after the promotion`,
    )
    expect(backMs).toBeLessThanOrEqual(resumeBoundMs)
    expect(replicas.mostFeedConnections()).toBe(1) // one upstream holder at a time, all along
    await replicas.holder(10_000) // one holder, every bus ok again
  }, 90_000)
})
