/** A PostgreSQL server this test owns (initdb in a temp folder, its own port): start, restart and stop it at will; never the shared one. */
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './redis-harness'

/** The newest installed server binaries (Debian: /usr/lib/postgresql/<major>/bin). */
function serverBin(): string {
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  if (majors.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)')
  return join(root, majors[0]!, 'bin')
}

/** initdb and pg_ctl refuse root: run them as the postgres user when we are root. */
function asServerUser(argv: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...argv] : argv
}

async function run(argv: string[]): Promise<string> {
  const p = Bun.spawn(asServerUser(argv), { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}: ${err || out}`)
  return out
}

export class PrivatePostgres {
  readonly port = freePort()
  readonly url = `postgres://postgres@127.0.0.1:${this.port}/postgres`
  private readonly dir = mkdtempSync(join(tmpdir(), 'mw-pg-'))
  private readonly data = join(this.dir, 'data')
  private readonly bin = serverBin()

  /** initdb (trust auth, no fsync: a test database) and start; resolves when it accepts connections. */
  async start(): Promise<void> {
    chmodSync(this.dir, 0o777)
    if (process.getuid?.() === 0) await run(['chown', 'postgres', this.dir]).catch(() => {})
    await run([join(this.bin, 'initdb'), '-D', this.data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
    await this.up()
  }

  /** pg_ctl start and wait until ready. */
  async up(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off`
    await run([join(this.bin, 'pg_ctl'), '-D', this.data, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '30', 'start'])
  }

  /** pg_ctl stop with a shutdown mode: fast (clients disconnected, as a restart does) or immediate (as a crash). */
  async down(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await run([join(this.bin, 'pg_ctl'), '-D', this.data, '-m', mode, '-w', '-t', '30', 'stop'])
  }

  /** `pg_ctl restart -m fast`: what an operator does. */
  async restart(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.down(mode)
    await this.up()
  }

  /** Stops the server (if running) and removes its folder. */
  async destroy(): Promise<void> {
    await this.down('immediate').catch(() => {})
    rmSync(this.dir, { recursive: true, force: true })
  }
}
