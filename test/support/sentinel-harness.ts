/** A private Redis Sentinel deployment for tests: a primary, one replica (its replication link through a proxy that can lag) and three Sentinels on free ports, in temp folders. */
import Redis from 'ioredis'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, PrivateRedisServer } from './redis-harness'
import { RetargetableProxy } from './tcp-proxy'
import { waitFor } from './wait'

/** Sentinel timings: how long a primary may be silent before it is down, and the failover's time limit. */
export interface SentinelTimings {
  downAfterMs: number
  failoverTimeoutMs: number
}

/** Tuned for tests: a dead primary is down after 1 s (production: 5 s, see README "Running several replicas"). */
export const testSentinelTimings: SentinelTimings = { downAfterMs: 1000, failoverTimeoutMs: 5000 }

/** One `redis-sentinel` process monitoring `name`, with its own config file (Sentinel rewrites it). */
export class PrivateSentinel {
  readonly port = freePort()
  private process: ReturnType<typeof Bun.spawn> | null = null
  private readonly dir = mkdtempSync(join(tmpdir(), 'mw-sentinel-'))

  constructor(
    private readonly name: string,
    private readonly primaryPort: number,
    private readonly timings: SentinelTimings,
    private readonly quorum = 2,
  ) {}

  async start(): Promise<void> {
    const conf = join(this.dir, 'sentinel.conf')
    writeFileSync(
      conf,
      [
        `port ${this.port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${this.name} 127.0.0.1 ${this.primaryPort} ${this.quorum}`,
        `sentinel down-after-milliseconds ${this.name} ${this.timings.downAfterMs}`,
        `sentinel failover-timeout ${this.name} ${this.timings.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${this.name} 1`,
        '',
      ].join('\n'),
    )
    try {
      this.process = Bun.spawn(['redis-sentinel', conf], { stdout: 'ignore', stderr: 'ignore' })
    } catch (error) {
      throw new Error(
        `redis-sentinel is not installed (${(error as Error).message}): apt-get install -y redis-sentinel`,
      )
    }
    await waitFor(() => this.ping(), 5000, `redis-sentinel on port ${this.port} to answer`)
  }

  /** A connection for SENTINEL commands (the caller disconnects it). */
  connect(): Redis {
    const client = new Redis({ port: this.port, host: '127.0.0.1', maxRetriesPerRequest: 1, connectTimeout: 2000 })
    client.on('error', () => {})
    return client
  }

  async stop(): Promise<void> {
    this.process?.kill('SIGKILL')
    await this.process?.exited
    this.process = null
    rmSync(this.dir, { recursive: true, force: true })
  }

  private async ping(): Promise<boolean> {
    const client = new Redis({ port: this.port, host: '127.0.0.1', retryStrategy: () => null, lazyConnect: true })
    client.on('error', () => {})
    try {
      await client.connect()
      return (await client.ping()) === 'PONG'
    } catch {
      return false
    } finally {
      client.disconnect()
    }
  }
}

/** A promotion the Sentinels announced (`+switch-master`), and when the test heard it. */
export interface Promotion {
  at: number
  oldPort: number
  newPort: number
}

/**
 * Primary, replica and three Sentinels (quorum 2), all on 127.0.0.1. The replica replicates
 * through `link`, a proxy the test can hold: writes the primary acknowledged then stop
 * reaching the replica, as with replication lag, so a failover really loses them unless the
 * writer made sure a replica had them.
 */
export class SentinelDeployment {
  readonly name = 'mw-test'
  readonly primary = new PrivateRedisServer()
  readonly link = new RetargetableProxy(this.primary.port)
  readonly sentinels: PrivateSentinel[]
  private replicaServer: PrivateRedisServer | null = null
  private readonly watchers: Redis[] = []

  constructor(readonly timings: SentinelTimings = testSentinelTimings) {
    this.sentinels = [0, 1, 2].map(() => new PrivateSentinel(this.name, this.primary.port, timings))
  }

  get replica(): PrivateRedisServer {
    if (this.replicaServer === null) throw new Error('SentinelDeployment: not started')
    return this.replicaServer
  }

  /** `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME` for a replica process. */
  get env(): { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string } {
    return {
      REDIS_SENTINELS: this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      REDIS_SENTINEL_NAME: this.name,
    }
  }

  /** Starts everything and waits until every Sentinel knows the replica and the two other Sentinels. */
  async start(): Promise<void> {
    await this.primary.start()
    const linkPort = Number(new URL(await this.link.url).port)
    this.replicaServer = new PrivateRedisServer(undefined, ['--replicaof', '127.0.0.1', String(linkPort)])
    await this.replica.start()
    const replicaClient = new Redis(this.replica.url, { maxRetriesPerRequest: 1 })
    replicaClient.on('error', () => {})
    try {
      await waitFor(
        async () => (await replicaClient.info('replication')).includes('master_link_status:up'),
        10_000,
        'the replica in sync with the primary',
      )
    } finally {
      replicaClient.disconnect()
    }
    await Promise.all(this.sentinels.map((s) => s.start()))
    await Promise.all(
      this.sentinels.map(async (sentinel) => {
        const client = sentinel.connect()
        try {
          await waitFor(
            async () => {
              const replicas = (await client.call('SENTINEL', 'REPLICAS', this.name)) as unknown[]
              const others = (await client.call('SENTINEL', 'SENTINELS', this.name)) as unknown[]
              return replicas.length === 1 && others.length === 2
            },
            20_000,
            `sentinel ${sentinel.port} to know the replica and the other sentinels`,
          )
        } finally {
          client.disconnect()
        }
      }),
    )
  }

  /** The primary's port as the Sentinels name it now. */
  async primaryPort(): Promise<number> {
    const client = this.sentinels[0]!.connect()
    try {
      const [, port] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as [string, string]
      return Number(port)
    } finally {
      client.disconnect()
    }
  }

  /** Subscribes to `+switch-master` on every Sentinel; `promoted` resolves at the next one (a promise inside an object: an async function would flatten it). */
  async watchPromotion(): Promise<{ promoted: Promise<Promotion> }> {
    const subscribers = this.sentinels.map((s) => s.connect())
    this.watchers.push(...subscribers)
    await Promise.all(subscribers.map((s) => s.subscribe('+switch-master')))
    const promoted = new Promise<Promotion>((resolve) => {
      for (const subscriber of subscribers)
        subscriber.on('message', (_channel: string, message: string) => {
          // "<name> <old-ip> <old-port> <new-ip> <new-port>"
          const [, , oldPort, , newPort] = message.split(' ')
          resolve({ at: Date.now(), oldPort: Number(oldPort), newPort: Number(newPort) })
        })
    })
    return { promoted }
  }

  async stop(): Promise<void> {
    for (const watcher of this.watchers.splice(0)) watcher.disconnect()
    await Promise.all(this.sentinels.map((s) => s.stop()))
    await this.link.close()
    await Promise.all([this.replicaServer?.stop(), this.primary.stop()])
  }
}
