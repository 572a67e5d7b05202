/** nginx run by a test: the shipped deploy/nginx/market-watch.conf with loopback addresses, in a temp folder, in the foreground. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './redis-harness'
import { waitFor } from './wait'

const shippedConf = join(import.meta.dir, '..', '..', 'deploy', 'nginx', 'market-watch.conf')

/**
 * The shipped configuration, unchanged but for its addresses: the upstream's `server …:3000`
 * lines become the given replicas and `listen 80` a free loopback port. It runs inside a minimal
 * nginx.conf whose pid file, logs and temp folders are in the test's own folder.
 */
export class PrivateNginx {
  readonly port = freePort()
  readonly url = `http://127.0.0.1:${this.port}`
  private readonly dir = mkdtempSync(join(tmpdir(), 'mw-nginx-'))
  private process: ReturnType<typeof Bun.spawn> | null = null

  /** `workerConnections`: nginx's per-worker cap; each proxied stream takes two (client and replica side). */
  constructor(
    private readonly replicaUrls: string[],
    private readonly workerConnections = 1024,
  ) {}

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`
  }

  /** The shipped file with this test's addresses. */
  siteConf(): string {
    const shipped = readFileSync(shippedConf, 'utf8')
    const servers = this.replicaUrls
      .map((url) => `    server ${new URL(url).host} max_fails=1 fail_timeout=5s;`)
      .join('\n')
    const site = shipped
      .replace(/(    server market-watch-\d:3000[^\n]*\n)+/, `${servers}\n`)
      .replace('listen 80;', `listen 127.0.0.1:${this.port};`)
    if (site.includes('market-watch-1') || !site.includes(`listen 127.0.0.1:${this.port};`))
      throw new Error(
        'deploy/nginx/market-watch.conf no longer has the upstream servers or the listen line this test rewrites',
      )
    return site
  }

  async start(): Promise<void> {
    const temp = (name: string) => `${name}_temp_path ${join(this.dir, name)};`
    const conf = join(this.dir, 'nginx.conf')
    writeFileSync(
      conf,
      [
        'worker_processes 1;',
        `pid ${join(this.dir, 'nginx.pid')};`,
        `error_log ${join(this.dir, 'error.log')} warn;`,
        `worker_rlimit_nofile ${this.workerConnections * 2};`,
        `events { worker_connections ${this.workerConnections}; }`,
        'http {',
        'access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp),
        this.siteConf(),
        '}',
        '',
      ].join('\n'),
    )
    try {
      this.process = Bun.spawn(['nginx', '-p', this.dir, '-c', conf, '-g', 'daemon off;'], {
        stdout: 'ignore',
        stderr: 'pipe',
      })
    } catch (error) {
      throw new Error(`nginx is not installed (${(error as Error).message}): apt-get install -y nginx`)
    }
    await waitFor(
      async () => (await fetch(`${this.url}/healthz`).catch(() => null))?.status === 200,
      10_000,
      `nginx on port ${this.port} to pass /healthz through`,
    )
  }

  /** The error log (upstream failures nginx noticed), for assertion messages. */
  errors(): string {
    try {
      return readFileSync(join(this.dir, 'error.log'), 'utf8')
    } catch {
      return ''
    }
  }

  async stop(): Promise<void> {
    this.process?.kill('SIGTERM')
    await this.process?.exited
    this.process = null
    rmSync(this.dir, { recursive: true, force: true })
  }
}
