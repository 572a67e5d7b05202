/** One process per port and per PGlite data folder: a second start on either fails with a clear message instead of sharing it. */
import { afterAll, describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { App } from '../../src/app'
import { Http, startApp, testJwtSecret } from '../support/harness'
import { within } from '../support/wait'

const repoRoot = join(import.meta.dir, '..', '..')

describe('exclusive start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mw-exclusive-'))
  const lockFile = join(dataDir, 'pglite.lock')
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

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

  it('should take over a lock left by a process that is gone (kill -9, a crash)', async () => {
    const gone = Bun.spawn([process.execPath, '-e', '0'])
    await gone.exited
    writeFileSync(lockFile, `${gone.pid}\n`)
    const app = await startApp({ DATA_DIR: dataDir })
    try {
      expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid))
      expect((await new Http(app).get('/readyz')).status).toBe(200)
    } finally {
      await app.stop()
    }
    expect(existsSync(lockFile)).toBe(false)
  }, 60_000)
})
