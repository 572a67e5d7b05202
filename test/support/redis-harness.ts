/** Redis for tests: the shared server (TEST_REDIS_URL or localhost, must be up), unique prefixes, and private servers to kill. */
import { redisUrl } from './harness'
import Redis from 'ioredis'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from './wait'

export { waitFor }

/** The Redis every integration test uses (the same as harness.ts): TEST_REDIS_URL, else redis://127.0.0.1:6379. */
export const sharedRedisUrl = redisUrl

/** A key/channel prefix no other test run uses, so parallel runs never cross-talk. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`
}

/** A command client that fails fast instead of retrying forever. */
export function connectRedis(url = sharedRedisUrl): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 })
  client.on('error', () => {})
  return client
}

/** Fails loudly, with the command to fix it, when the shared Redis is not reachable. */
export async function requireSharedRedis(): Promise<void> {
  const probe = new Redis(sharedRedisUrl, { retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 2000 })
  probe.on('error', () => {})
  try {
    await probe.ping()
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${sharedRedisUrl} (${(error as Error).message}). Start it: ` +
        `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no, or set TEST_REDIS_URL.`,
    )
  } finally {
    probe.disconnect()
  }
}

/** A free TCP port on 127.0.0.1 (nothing listens on it once this returns). */
export function freePort(): number {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = server.port
  server.stop(true)
  return port
}

/** A redis-server this test owns: start, kill, pause and resume it at will. */
export class PrivateRedisServer {
  readonly url: string
  private process: ReturnType<typeof Bun.spawn> | null = null
  private readonly dir = mkdtempSync(join(tmpdir(), 'mw-redis-'))

  /** `extraArgs` go after the defaults, e.g. `['--replicaof', '127.0.0.1', '6390']` for a replica. */
  constructor(
    readonly port = freePort(),
    private readonly extraArgs: string[] = [],
  ) {
    this.url = `redis://127.0.0.1:${port}`
  }

  /** Starts the server and waits until it answers PING. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir]
    args.push(...this.extraArgs)
    this.process = Bun.spawn(['redis-server', ...args], { stdout: 'ignore', stderr: 'pipe' })
    await waitFor(() => this.ping(), 5000, `redis-server on port ${this.port} to answer`)
  }

  /** SIGKILL: connections drop at once, as in a crash. */
  async kill(): Promise<void> {
    if (this.process === null) return
    this.process.kill('SIGKILL')
    await this.process.exited
    this.process = null
  }

  /** SIGSTOP: connections stay open but nothing answers, as in a hung server. */
  pause(): void {
    if (this.process !== null) process.kill(this.process.pid, 'SIGSTOP')
  }

  resume(): void {
    if (this.process !== null) process.kill(this.process.pid, 'SIGCONT')
  }

  async stop(): Promise<void> {
    this.resume()
    await this.kill()
    rmSync(this.dir, { recursive: true, force: true })
  }

  private async ping(): Promise<boolean> {
    const client = new Redis(this.url, { retryStrategy: () => null, maxRetriesPerRequest: 0, lazyConnect: true })
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
