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
  /** A replica's link to its primary is up (master_link_status:up); true for a primary. */
  inSync: boolean
  /** Calls of a command on this node since it started (`cmdstat_<name>`), e.g. `spublish`. */
  calls(command: string): number
}

/**
 * Six redis-servers with cluster mode on: `redis-cli --cluster create … --cluster-replicas 1`
 * makes three primaries (the 16384 slots split in three) with one replica each. `start()` returns
 * once every node reports `cluster_state:ok` and knows all six, and every replica is in sync:
 * nothing is timed by sleeping.
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
          // Replicas sync at once (default: 5 s later), so one can take over as soon as the cluster is up.
          '--repl-diskless-sync-delay',
          '0',
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
    // A replica that never synced cannot be promoted: ready means every replica is in sync.
    await waitFor(
      async () => (await this.readings()).filter((node) => node.role === 'slave').every((node) => node.inSync),
      20_000,
      'every replica in sync with its primary',
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
          const inSync = role === 'master' || replication.includes('master_link_status:up')
          return { port: s.port, role, inSync, calls } as NodeReading
        } catch {
          return null
        } finally {
          client.disconnect()
        }
      }),
    )
    return readings.filter((r): r is NodeReading => r !== null)
  }

  /** The port of the primary serving `key`'s slot (a channel name works the same), as the cluster reports it now. */
  async ownerPort(key: string): Promise<number> {
    const port = await this.firstAnswering(async (client) => {
      const slot = (await client.call('CLUSTER', 'KEYSLOT', key)) as number
      const ranges = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][]
      const range = ranges.find(([from, to]) => from <= slot && slot <= to)
      return range === undefined ? null : Number(range[2][1])
    })
    if (port === null) throw new Error(`no node owns the slot of ${key}`)
    return port
  }

  /** The server on `port`. */
  server(port: number): PrivateRedisServer {
    const server = this.servers.find((s) => s.port === port)
    if (server === undefined) throw new Error(`no cluster node on port ${port}`)
    return server
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()))
  }

  /** `ask` on the first node that answers it (a dead node is skipped). */
  private async firstAnswering<T>(ask: (client: Redis) => Promise<T>): Promise<T | null> {
    for (const server of this.servers) {
      const client = this.admin(server.port)
      try {
        return await ask(client)
      } catch {
        // next node
      } finally {
        client.disconnect()
      }
    }
    return null
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
