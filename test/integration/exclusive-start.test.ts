/** One process per port and per PGlite data folder: a second start on either fails with a clear message instead of sharing it. */
import { afterAll, describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { App } from '../../src/app'
import { Http, startApp, testJwtSecret } from '../support/harness'
import { within } from '../support/wait'

const repoRoot = join(import.meta.dir, '..', '..')
const bootId = existsSync('/proc/sys/kernel/random/boot_id') ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : ''
/** This process as the lock names it. */
const thisProcess = { pid: process.pid, host: hostname(), boot: bootId, started: Math.round(performance.timeOrigin) }

describe('exclusive start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mw-exclusive-'))
  const lockFile = join(dataDir, 'pglite.lock')
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
  /** A lock as another holder leaves it, last refreshed `ageMs` ago. */
  function leaveLock(holder: Partial<typeof thisProcess> | '', ageMs = 0): void {
    writeFileSync(lockFile, holder === '' ? '' : JSON.stringify({ ...thisProcess, ...holder }))
    const at = new Date(Date.now() - ageMs)
    utimesSync(lockFile, at, at)
  }
  /** Starts on the folder, checks the lock is this process's and that it serves, stops, and checks the lock is gone. */
  async function startsAndTakesTheLock(): Promise<void> {
    const app = await startApp({ DATA_DIR: dataDir })
    try {
      expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toEqual(thisProcess)
      expect((await new Http(app).get('/readyz')).status).toBe(200)
    } finally {
      await app.stop()
    }
    expect(existsSync(lockFile)).toBe(false)
  }

  it('should refuse to listen on a port another server holds, and leave that server serving', async () => {
    const first = await startApp()
    const { port, url } = await first.listen()
    const second = await startApp({ PORT: String(port) })
    try {
      // Elysia listens with SO_REUSEPORT by default: the second server bound too and took part of the connections.
      await expect(second.listen()).rejects.toThrow(String(port))
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
    } finally {
      await second.stop()
      await first.stop()
    }
  }, 30_000)

  it("should refuse a second process on the same PGlite data folder, exit 1 naming the holder, and keep the first one's data", async () => {
    let first: App | null = await startApp({ DATA_DIR: dataDir })
    const child = Bun.spawn([process.execPath, 'src/main.ts'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'development',
        JWT_SECRET: testJwtSecret,
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
      },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    try {
      const http = new Http(first)
      const { email, password } = await http.signUp()
      // Before the lock, the second process opened the folder and served (its writes and the first's overwrote each other).
      const exitCode = await within(child.exited, 20_000, 'the second process to exit')
      const stderr = await new Response(child.stderr).text()
      expect({ exitCode, stdout: await new Response(child.stdout).text() }).toEqual({ exitCode: 1, stdout: '' })
      expect(stderr).toContain(`in use by process ${process.pid}`)
      expect(stderr).toContain(join(dataDir, 'pglite'))
      await first.stop()
      first = null
      expect(existsSync(lockFile)).toBe(false)
      // The first process's account is there after a restart on the folder.
      const again = await startApp({ DATA_DIR: dataDir })
      try {
        expect((await new Http(again).post('/api/v1/auth/login', { email, password })).status).toBe(200)
      } finally {
        await again.stop()
      }
    } finally {
      child.kill('SIGKILL')
      await first?.stop()
    }
  }, 90_000)

  it('should take over at once a lock of a process gone from this host (kill -9, a crash)', async () => {
    const gone = Bun.spawn([process.execPath, '-e', '0'])
    await gone.exited
    leaveLock({ pid: gone.pid, started: thisProcess.started - 1 })
    await startsAndTakesTheLock()
  }, 60_000)

  it('should take over at once a lock of our own pid from an earlier start on this host (a container restarted: pid 1 again)', async () => {
    leaveLock({ started: thisProcess.started - 60_000 })
    await startsAndTakesTheLock()
  }, 60_000)

  it('should refuse a lock of our own pid held by another host while it is refreshed (pid 1 in two containers on one volume)', async () => {
    // Was taken over (our own pid read as a previous life of this container): both containers wrote the folder.
    leaveLock({ host: 'twin-container', started: thisProcess.started - 1 }, 50_000)
    await expect(startApp({ DATA_DIR: dataDir })).rejects.toThrow(`in use by process ${process.pid} on twin-container`)
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).host).toBe('twin-container')
    // Not refreshed for a minute: that container is gone.
    leaveLock({ host: 'twin-container', started: thisProcess.started - 1 }, 61_000)
    await startsAndTakesTheLock()
  }, 60_000)

  it('should take an empty lock for one being written while young, and take it over once a minute old', async () => {
    // Was taken over at once: a second process starting between the first's create and write held the folder too.
    leaveLock('', 1_000)
    await expect(startApp({ DATA_DIR: dataDir })).rejects.toThrow('its lock file is being written')
    expect(readFileSync(lockFile, 'utf8')).toBe('')
    leaveLock('', 61_000)
    await startsAndTakesTheLock()
  }, 60_000)
})
