/** Replica processes for end-to-end tests: `bun src/main.ts` children with an explicit env, their URL, output, kill -9, and cleanup even when a test fails. */
import type { Subprocess } from 'bun'
import { join } from 'node:path'
import { streamPath } from '../../src/stream/stream-module'
import { uniqueEmail } from './harness'
import { within } from './wait'

const repoRoot = join(import.meta.dir, '..', '..')
/** Children not yet reaped; killed with SIGKILL if the test process exits first. */
const live = new Set<Subprocess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** One running `bun src/main.ts`. */
export class ReplicaProcess {
  /** The last lines the process wrote (stdout and stderr), for failure messages. */
  private readonly output: string[] = []

  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly child: Subprocess<'ignore', 'pipe', 'pipe'>,
    lines: AsyncIterator<string>,
  ) {
    void this.drain(lines)
    void this.drain(readLines(child.stderr))
  }

  /**
   * Spawns the entry point with exactly `env` (plus PATH and HOME: nothing leaks from the test
   * runner, which sets NODE_ENV=test) and resolves once it prints its `listening` line.
   */
  static async start(name: string, env: Record<string, string>, timeoutMs = 20_000): Promise<ReplicaProcess> {
    const child = Bun.spawn([process.execPath, 'src/main.ts'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    live.add(child)
    void child.exited.then(() => live.delete(child))
    const lines = readLines(child.stdout)
    const seen: string[] = []
    const listening = (async () => {
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        seen.push(next.value)
        const url = listeningUrl(next.value)
        if (url !== null) return url
      }
      throw new Error('exited')
    })()
    listening.catch(() => {}) // a timeout below reports it
    try {
      return new ReplicaProcess(name, await within(listening, timeoutMs, `replica ${name} listening`), child, lines)
    } catch {
      child.kill('SIGKILL')
      const stderr = await new Response(child.stderr).text().catch(() => '')
      throw new Error(`replica ${name} did not print "listening" within ${timeoutMs} ms:\n${[...seen, stderr].join('\n')}`)
    }
  }

  get pid(): number {
    return this.child.pid
  }

  get wsUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}${streamPath}`
  }

  /** True until the process has exited. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  get exitCode(): number | null {
    return this.child.exitCode
  }

  /** The process's recent output, e.g. for an assertion message. */
  recentOutput(): string {
    return this.output.join('\n')
  }

  /** SIGKILL (a crash: no graceful stop, the lease is not released) and wait for the exit. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL')
    await this.child.exited
  }

  /** SIGTERM (graceful stop), then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return
    this.child.kill('SIGTERM')
    const exited = await within(this.child.exited, graceMs, 'a graceful exit').then(
      () => true,
      () => false,
    )
    if (!exited) await this.kill()
  }

  private async drain(lines: AsyncIterator<string>): Promise<void> {
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      this.output.push(next.value)
      if (this.output.length > 50) this.output.shift()
    }
  }
}

/** The url of a `{"msg":"listening","url":…}` line, or null. */
function listeningUrl(line: string): string | null {
  try {
    const parsed = JSON.parse(line) as { msg?: string; url?: string }
    return parsed.msg === 'listening' && typeof parsed.url === 'string' ? parsed.url : null
  } catch {
    return null
  }
}

async function* readLinesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true })
    let newline: number
    while ((newline = buffered.indexOf('\n')) >= 0) {
      yield buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
    }
  }
  if (buffered) yield buffered
}

function readLines(stream: ReadableStream<Uint8Array>): AsyncIterator<string> {
  return readLinesOf(stream)[Symbol.asyncIterator]()
}

/** JSON over real HTTP to one replica, with an optional bearer token. */
export async function api(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}

/** Registers and logs in a fresh user on `baseUrl`, adds `tickers` to the watchlist, and returns the token. */
export async function signUpWith(baseUrl: string, tickers: string[]): Promise<string> {
  const credentials = { email: uniqueEmail('replica'), password: 'correct horse battery' }
  const registered = await api(baseUrl, 'POST', '/api/v1/auth/register', { body: credentials })
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.json)}`)
  const login = await api(baseUrl, 'POST', '/api/v1/auth/login', { body: credentials })
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.json)}`)
  const token = login.json.token as string
  for (const ticker of tickers) {
    const added = await api(baseUrl, 'POST', '/api/v1/watchlist', { token, body: { ticker } })
    if (added.status !== 201) throw new Error(`watchlist ${ticker}: ${added.status} ${JSON.stringify(added.json)}`)
  }
  return token
}
