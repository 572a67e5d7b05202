/** Replica processes on a Redis Cluster (a private one: three primaries, three replicas; REDIS_CLUSTER_NODES): symbol events fan out from the upstream holder through sharded Pub/Sub to clients on the other replica. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { RedisClusterDeployment } from '../support/cluster-harness'
import { clusterSymbols, ReplicaCluster, type ClusterClient } from '../support/replica-cluster'
import { commonWindow, latestEpoch, newRun } from '../support/stream-sequences'
import { waitFor } from '../support/wait'

describe('two replica processes on a Redis Cluster', () => {
  const redis = new RedisClusterDeployment()
  const replicas = new ReplicaCluster({ REDIS_CLUSTER_NODES: redis.nodesSetting }, 'redis-cluster')

  beforeAll(async () => {
    await redis.start()
    await replicas.start(['r1', 'r2'], 4)
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
  }, 60_000)
})
