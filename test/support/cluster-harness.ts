/** A private Redis Cluster for tests: three primaries and three replicas (redis-server --cluster-enabled) on free ports in temp folders, joined with `redis-cli --cluster create`. */
import Redis from 'ioredis'
import { PrivateRedisServer } from './redis-harness'
import { waitFor } from './wait'

/** How long a silent primary takes to be failed over (production default: 15 s). */
export const testClusterNodeTimeoutMs = 1000

/** One `cluster info` / `info commandstats` reading of a node. */
export interface NodeReading {
  port: number
  role: 'master' | 'slave'
  /** Calls of a command on this node since it started (`cmdstat_<name>`), e.g. `spublish`. */
  calls(command: string): number
}

/**
 * Six redis-servers with cluster mode on: `redis-cli --cluster create … --cluster-replicas 1`
 * makes three primaries (the 16384 slots split in three) with one replica each. `start()` returns
 * once every node reports `cluster_state:ok` and knows all six: nothing is timed by sleeping.
 */
export class RedisClusterDeployment {
  readonly servers: PrivateRedisServer[]

  constructor(readonly size = 6) {
    this.servers = Array.from(
      { length: size },
      () =>
        new PrivateRedisServer(undefined, [
          '--cluster-enabled',
          'yes',
          // Relative to the server's own --dir (a temp folder per server).
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          String(testClusterNodeTimeoutMs),
        ]),
    )
  }

  /** `host:port,…` of every node, as REDIS_CLUSTER_NODES takes it. */
  get nodesSetting(): string {
    return this.servers.map((s) => `127.0.0.1:${s.port}`).join(',')
  }

  get nodes(): { host: string; port: number }[] {
    return this.servers.map((s) => ({ host: '127.0.0.1', port: s.port }))
  }

  async start(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.start()))
    const create = Bun.spawn(
      [
        'redis-cli',
        '--cluster',
        'create',
        ...this.servers.map((s) => `127.0.0.1:${s.port}`),
        '--cluster-replicas',
        this.size >= 6 ? '1' : '0',
        '--cluster-yes',
      ],
      { stdout: 'pipe', stderr: 'pipe' },
    )
    if ((await create.exited) !== 0)
      throw new Error(`redis-cli --cluster create failed: ${await new Response(create.stdout).text()}${await new Response(create.stderr).text()}`)
    await waitFor(
      async () => (await Promise.all(this.servers.map((s) => this.clusterReady(s.port)))).every(Boolean),
      20_000,
      'every cluster node to report cluster_state:ok and know all the nodes',
    )
  }

  /** Role and command counts of every node that answers. */
  async readings(): Promise<NodeReading[]> {
    const readings = await Promise.all(
      this.servers.map(async (s) => {
        const client = this.admin(s.port)
        try {
          const [replication, stats] = await Promise.all([client.info('replication'), client.info('commandstats')])
          const role = /role:(\w+)/.exec(replication)?.[1] === 'master' ? 'master' : 'slave'
          const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
          return { port: s.port, role, calls } as NodeReading
        } catch {
          return null
        } finally {
          client.disconnect()
        }
      }),
    )
    return readings.filter((r): r is NodeReading => r !== null)
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()))
  }

  private async clusterReady(port: number): Promise<boolean> {
    const client = this.admin(port)
    try {
      const info = (await client.call('CLUSTER', 'INFO')) as string
      return info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${this.size}`)
    } catch {
      return false
    } finally {
      client.disconnect()
    }
  }

  private admin(port: number): Redis {
    const client = new Redis({ host: '127.0.0.1', port, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    client.on('error', () => {})
    return client
  }
}
