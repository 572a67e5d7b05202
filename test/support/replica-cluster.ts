/** Replica processes on one PostgreSQL, a given Redis (one server or Sentinel) and a local Massive server in market hours: the shared setup of the multi-replica end-to-end tests. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postgresUrl, testJwtSecret } from './harness'
import { createMassiveServer, massiveAppEnv, type MassiveServer } from './massive-server'
import { uniquePrefix } from './redis-harness'
import { api, ReplicaProcess, signUpWith } from './replica-processes'
import { closedWithin, StreamClient } from './stream-client'
import { isMarket, receivedSince } from './stream-sequences'
import { waitFor } from './wait'

export const clusterSymbols = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL']

/**
 * Wednesday 12 March 2025, 11:00 in New York. The replicas take the live feed from a local
 * Massive-compatible server that replays the simulated market from that instant on, so trades
 * are dense at whatever hour and on whatever day the test runs.
 */
const marketStart = Date.UTC(2025, 2, 12, 15, 0, 0)

export interface ClusterClient {
  client: StreamClient
  /** The replica the client's connection was opened to (through a balancer: the first one it was sent to). */
  replica: ReplicaProcess | null
}

export class ReplicaCluster {
  readonly replicas: ReplicaProcess[] = []
  /** Signed-up users watching every cluster symbol. */
  readonly tokens: string[] = []
  clients: ClusterClient[] = []
  massive!: MassiveServer
  env!: Record<string, string>
  private dataDir = ''

  /** `redisEnv`: REDIS_URL, or REDIS_SENTINELS and REDIS_SENTINEL_NAME; `label` names the data folder and prefix. */
  constructor(
    private readonly redisEnv: Record<string, string>,
    private readonly label: string,
  ) {}

  /** Starts the Massive server and the replicas (all at once, as in a deploy) and signs up `users` users. */
  async start(names: string[] = ['r1', 'r2', 'r3'], users = 6, extraEnv: Record<string, string> = {}): Promise<void> {
    const realStart = Date.now()
    this.massive = createMassiveServer({ now: () => marketStart + (Date.now() - realStart), feedTickMs: 50 })
    this.dataDir = mkdtempSync(join(tmpdir(), `mw-${this.label}-`))
    this.env = {
      NODE_ENV: 'development',
      JWT_SECRET: testJwtSecret,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: this.dataDir,
      DATABASE_URL: postgresUrl,
      REDIS_PREFIX: uniquePrefix(this.label),
      LOG_LEVEL: 'warn',
      REGISTER_MAX_PER_ADDRESS: '0',
      ...massiveAppEnv(this.massive),
      ...this.redisEnv,
      ...extraEnv,
    }
    this.replicas.push(...(await Promise.all(names.map((name) => ReplicaProcess.start(name, this.env)))))
    for (let i = 0; i < users; i++)
      this.tokens.push(await signUpWith(this.replicas[i % this.replicas.length]!.url, clusterSymbols))
  }

  async stop(): Promise<void> {
    for (const { client } of this.clients) client.close()
    await Promise.allSettled(this.replicas.map((r) => r.stop()))
    await this.massive?.stop()
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true })
  }

  alive(): ReplicaProcess[] {
    return this.replicas.filter((r) => r.alive)
  }

  async components(replica: ReplicaProcess): Promise<any> {
    return (await api(replica.url, 'GET', '/api/v1/market-data/status', { token: this.tokens[0] })).json.components
  }

  /** The one live replica holding the upstream lease (waits until there is exactly one and every bus is ok). */
  async holder(timeoutMs = 10_000): Promise<{ replica: ReplicaProcess; nodeId: string }> {
    let found: { replica: ReplicaProcess; nodeId: string }[] = []
    await waitFor(
      async () => {
        const all = await Promise.all(
          this.alive().map(async (replica) => ({ replica, c: await this.components(replica) })),
        )
        found = all
          .filter(({ c }) => c.upstream_lease.holding)
          .map(({ replica, c }) => ({ replica, nodeId: c.stream.nodeId }))
        return found.length === 1 && all.every(({ c }) => c.bus.state === 'ok')
      },
      timeoutMs,
      'exactly one replica holding the upstream lease, every bus ok',
    )
    return found[0]!
  }

  /** The most feed connections the provider had open at once since the start (one account: never more than one). */
  mostFeedConnections(): number {
    let open = 0
    let most = 0
    for (const frame of this.massive.wsLog)
      most = Math.max(most, (open += frame.kind === 'open' ? 1 : frame.kind === 'close' ? -1 : 0))
    return most
  }

  /** Opens a stream at `wsUrl` (a replica's, or a balancer's) with `token`, waits for the welcome and subscribes. */
  async connect(
    wsUrl: string,
    token: string,
    replica: ReplicaProcess | null,
    wanted = clusterSymbols,
  ): Promise<ClusterClient> {
    const entry = { client: StreamClient.connect(`${wsUrl}?token=${token}`), replica }
    this.clients.push(entry)
    await entry.client.nextOf('welcome', 5000)
    const reply = await entry.client.request({ action: 'subscribe', symbols: wanted }, 5000)
    if (reply.type !== 'subscribed') throw new Error(`subscribe: ${JSON.stringify(reply)}`)
    return entry
  }

  async closeAll(list: ClusterClient[]): Promise<void> {
    for (const { client } of list) client.close()
    await Promise.all(list.map(({ client }) => closedWithin(client, 5000)))
    this.clients = this.clients.filter((c) => !list.includes(c))
  }

  /** Waits until every client has market messages of every symbol after index `marks[i]`. */
  async allReceiving(
    list: ClusterClient[],
    marks: number[],
    wanted = clusterSymbols,
    timeoutMs = 10_000,
  ): Promise<void> {
    await Promise.all(
      list.flatMap(({ client }, i) =>
        wanted.map((symbol) => receivedSince(client, marks[i]!, (m) => isMarket(m) && m.symbol === symbol, timeoutMs)),
      ),
    )
  }
}

/** A value of a replica's /metrics (open in development), summed over the samples of that name; 0 when absent. */
export async function metricOf(replica: ReplicaProcess, name: string): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text()
  let sum = 0
  for (const line of text.split('\n'))
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.split(' ').at(-1))
  return sum
}
