/** Fan-out targets behind one interface: the bare Bun ceiling, Socket.IO + Redis adapter on Node, and the service itself (all fed by the bench upstream). */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Child } from '../lib/child'
import { signToken } from '../lib/jwt'
import { blockSymbols, universe } from '../lib/market'
import { createDatabase, dropDatabase } from '../lib/pg'
import type { HeapSample } from '../lib/heap-stats'
import { benchSecret, hasStream, profileFlags, provisionUsers, startService } from '../lib/service'
import { PrivateNginx } from '../../test/support/private-nginx'

export type TargetKind = 'bun' | 'sio' | 'service'

export interface TargetOptions {
  /** Port of the bench upstream (Massive-compatible feed + REST); null = no upstream (idle probes). */
  upstreamPort: number | null
  /** Connections the target must accept (sizes users and per-user limits of the service). */
  clients: number
  /** Service only: STREAM_FLUSH_MS. */
  flushMs?: number
  /** Unique Redis key prefix (Socket.IO adapter, service replicas). */
  redisPrefix: string
  redisUrl: string
  /** Service only: replicas sharing one Redis (REDIS_URL, REDIS_PREFIX) and one PostgreSQL (databaseUrl). @default 1 */
  replicas?: number
  /** Service only: the PostgreSQL database (shared by replicas); unset = a fresh one, dropped at stop. */
  databaseUrl?: string
  /** Idle connections only: users need no watchlist. */
  idle?: boolean
  /** Service only: users below this index get the watchlist of their symbol block even when `idle` (mixed fleets). @default 0 */
  watchlistUsers?: number
  /** Extra environment for the service. */
  env?: Record<string, string>
  /** Service only: the replicas on this Redis Cluster (`host:port,…`, REDIS_CLUSTER_NODES) instead of redisUrl. */
  redisClusterNodes?: string
  /** Service only: clients connect through nginx (the shipped deploy/nginx configuration) in front of the replicas. */
  balancer?: boolean
  /** Service only: default settings on its own simulated market (no Massive key, no upstream, default flush). */
  simulated?: boolean
  /** Service only: preload the heap probe (bench/lib/heap-probe-preload.ts) so `heap()` answers. */
  heapProbe?: boolean
}

export interface Target {
  kind: TargetKind
  label: string
  protocol: 'mw' | 'sio'
  /** One port per server process (several for replicas); clients are spread over them. */
  ports: number[]
  path: string
  tokens: string[]
  /** The server says `welcome` once it admitted a connection (the service): idle clients are ready then, not at the upgrade. */
  welcomes: boolean
  /** Server processes (for CPU and RSS). */
  pids(): number[]
  /** Server-side counters, where the target reports them. */
  stats(): Promise<Record<string, unknown> | null>
  /** Heap statistics of the (first) server process after a full GC, where the target answers them. */
  heap(): Promise<HeapSample | null>
  /** Objects the (first) server process allocates over 3 s, by type (the service with the heap probe only). */
  garbage(): Promise<Record<string, number> | null>
  stop(): Promise<void>
}

/** Symbols per fan-out client (the 20 of 200). */
export const symbolsPerConn = 20

const sioDir = join(import.meta.dir, '..', 'baselines', 'socketio')

/** npm ci for the Socket.IO baseline when its node_modules is missing (keeps the root project's dependencies clean). */
export async function ensureSocketIoInstalled(): Promise<void> {
  if (existsSync(join(sioDir, 'node_modules', 'socket.io'))) return
  process.stderr.write('bench: installing the Socket.IO baseline (npm ci in bench/baselines/socketio)…\n')
  const p = Bun.spawn(['npm', 'ci', '--no-audit', '--no-fund'], { cwd: sioDir, stdout: 'ignore', stderr: 'inherit' })
  if ((await p.exited) !== 0) throw new Error('npm ci failed in bench/baselines/socketio')
}

export function targetLabel(kind: TargetKind, flushMs?: number): string {
  if (kind === 'bun') return 'bare Bun topic publish (ceiling)'
  if (kind === 'sio') return 'Socket.IO + Redis adapter (Node)'
  return `service, STREAM_FLUSH_MS=${flushMs ?? 100}`
}

export async function startTarget(kind: TargetKind, o: TargetOptions): Promise<Target> {
  const upstreamUrl = o.upstreamPort ? `ws://127.0.0.1:${o.upstreamPort}/stocks` : ''
  const benchTokens = Array.from({ length: 10 }, (_, i) => signToken(benchSecret, i + 1))
  if (kind === 'bun') {
    const child = new Child('bun-topic', ['bun', join(import.meta.dir, '..', 'baselines', 'bun-topic.ts')], {
      env: { JWT_SECRET: benchSecret, UPSTREAM_URL: upstreamUrl },
    })
    const { port } = await child.next((m) => m.ready, 30_000)
    return childTarget(kind, child, port, '/stream', 'mw', benchTokens)
  }
  if (kind === 'sio') {
    await ensureSocketIoInstalled()
    const child = new Child('socketio', ['node', join(sioDir, 'server.mjs')], {
      cwd: sioDir,
      env: {
        JWT_SECRET: benchSecret,
        UPSTREAM_URL: upstreamUrl,
        REDIS_URL: o.redisUrl,
        REDIS_PREFIX: `${o.redisPrefix}:sio`,
        SYMBOLS: universe.join(','),
      },
    })
    const { port } = await child.next((m) => m.ready, 30_000)
    return childTarget(kind, child, port, '/socket.io/', 'sio', benchTokens)
  }
  // 50 connections per user, users a multiple of 10: client i (token i % users) takes the symbol
  // block i % 10, so user u needs only symbolsFor(u) on its watchlist. (Each connect tells the
  // user's other connections their quota changed, so users with hundreds of sockets cost O(n²).)
  const users = Math.ceil(Math.max(10, o.clients / 50) / 10) * 10
  const replicas = o.replicas ?? 1
  const db = o.databaseUrl ? null : await createDatabase('stream')
  const env: Record<string, string> = {
    // test mode only lowers the password-hashing cost of the bench's sign-ups (and the log level).
    NODE_ENV: 'test',
    DATA_DIR: 'memory://',
    DATABASE_URL: o.databaseUrl ?? db!.url,
    ...(o.simulated
      ? {}
      : {
          MASSIVE_API_KEY: 'bench-key',
          MASSIVE_REST_URL: `http://127.0.0.1:${o.upstreamPort ?? 9}`,
          MASSIVE_WS_URL: upstreamUrl || 'ws://127.0.0.1:9/stocks',
          MASSIVE_REQUESTS_PER_MINUTE: '0',
          STREAM_FLUSH_MS: String(o.flushMs ?? 100),
        }),
    // Every bench user signs up from 127.0.0.1 at once; the abuse limits are not what is measured.
    REGISTER_MAX_PER_ADDRESS: '0',
    PASSWORD_HASH_QUEUE: '100000',
    RATE_LIMIT_REST_PER_MINUTE: '0',
    PREFETCH_INTERVAL_SECONDS: '0',
    WATCHLIST_MAX: String(universe.length),
    WS_MAX_CONNECTIONS_PER_USER: String(Math.min(1000, Math.ceil(o.clients / users) + 10)),
    ...(o.redisClusterNodes
      ? { REDIS_CLUSTER_NODES: o.redisClusterNodes, REDIS_PREFIX: `${o.redisPrefix}:mw` }
      : replicas > 1 || o.env?.REDIS_URL
        ? { REDIS_URL: o.redisUrl, REDIS_PREFIX: `${o.redisPrefix}:mw` }
        : {}),
    ...o.env,
  }
  const cmd = o.heapProbe
    ? ['bun', ...profileFlags(), '--preload', join(import.meta.dir, '..', 'lib', 'heap-probe-preload.ts'), 'src/main.ts']
    : undefined
  const services = []
  for (let i = 0; i < replicas; i++) services.push(await startService(env, cmd))
  const children = services.map((x) => x.child)
  const nginx = o.balancer ? new PrivateNginx(services.map((x) => x.url), o.clients * 2 + 1000) : null
  const stop = async () => {
    await nginx?.stop()
    await Promise.all(children.map((c) => c.stop()))
    if (db) await dropDatabase(db.name).catch(() => {})
  }
  if (!(await hasStream(services[0]!.url))) {
    await stop()
    throw new PendingError(
      'the service has no /api/v1/market-data/stream route yet (src/stream not wired into src/app.ts)',
    )
  }
  await nginx?.start()
  const tokens = await provisionUsers(services[0]!.url, users, (u) =>
    o.idle && u >= (o.watchlistUsers ?? 0) ? [] : blockSymbols(u, symbolsPerConn),
  )
  return {
    kind,
    label:
      targetLabel(kind, o.flushMs) +
      (replicas > 1 ? ` × ${replicas} replicas` : '') +
      (o.redisClusterNodes ? ' on a Redis Cluster' : '') +
      (nginx ? ' via nginx' : ''),
    protocol: 'mw',
    ports: nginx ? [nginx.port] : services.map((x) => x.port),
    path: '/api/v1/market-data/stream',
    tokens,
    welcomes: true,
    pids: () => children.map((c) => c.pid),
    stats: async () => null,
    heap: async () => (o.heapProbe ? ((await children[0]!.ask('heap', {}, 30_000)) as unknown as HeapSample) : null),
    garbage: async () => (o.heapProbe ? (await children[0]!.ask('garbage', {}, 30_000)).grown : null),
    stop,
  }
}

/** A workload that cannot run yet because the service lacks what it measures. */
export class PendingError extends Error {}

function childTarget(
  kind: TargetKind,
  child: Child,
  port: number,
  path: string,
  protocol: 'mw' | 'sio',
  tokens: string[],
): Target {
  return {
    kind,
    label: targetLabel(kind),
    protocol,
    ports: [port],
    path,
    tokens,
    welcomes: false,
    pids: () => [child.pid],
    stats: () => child.ask('stats', {}, 5000).catch(() => null),
    heap: async () => (kind === 'bun' ? ((await child.ask('heap', {}, 30_000)) as unknown as HeapSample) : null),
    garbage: async () => null,
    stop: () => child.stop(),
  }
}
