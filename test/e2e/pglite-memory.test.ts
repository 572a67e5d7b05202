/** The embedded default fits a small VM: resident memory of `bun src/main.ts` on PGlite, first start (initdb) and restart. */
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testJwtSecret } from '../support/harness'
import { ReplicaProcess } from '../support/replica-processes'

/** The documented bounds (README, Operations): the first start was 712 MB before initdb ran in a throwaway instance (now 230-280 MB; what the runtime hands back to the OS after that instance varies), a restart ~190-200 MB. */
const firstStartBoundMb = 400
const restartBoundMb = 300

function residentMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!
  return Number(/(\d+)/.exec(line)![1]) / 1024
}

describe('PGlite memory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mw-pglite-mem-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
  const env = { NODE_ENV: 'development', JWT_SECRET: testJwtSecret, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'error' }

  test(`should stay under ${firstStartBoundMb} MB resident after a first start (initdb) and ${restartBoundMb} MB after a restart`, async () => {
    const measured: Record<string, number> = {}
    for (const label of ['first start', 'restart']) {
      const replica = await ReplicaProcess.start(label, env, 60_000)
      try {
        // One request through the database, so the figure is of a serving process.
        expect((await fetch(`${replica.url}/readyz`)).status).toBe(200)
        measured[label] = Math.round(residentMb(replica.pid))
      } finally {
        await replica.stop()
      }
    }
    console.log(`PGlite resident memory: ${JSON.stringify(measured)} MB`)
    expect(measured['first start']!).toBeLessThan(firstStartBoundMb)
    expect(measured['restart']!).toBeLessThan(restartBoundMb)
  }, 120_000)
})
