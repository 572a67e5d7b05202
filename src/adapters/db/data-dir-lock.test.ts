/** The data folder lock on real files: a refreshing holder is kept (whatever its pid), a silent or empty one is taken over, and the rule itself. */
import { afterEach, describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '../../../test/support/wait'
import { DataDirInUseError, lockDataDir, lockIsHeld, lockStaleMs, type LockHolder } from './data-dir-lock'

const T0 = Date.UTC(2026, 0, 5, 12, 0)
/** Pid 1 in two containers on one volume: same pid and boot, another host name. */
const boxA: LockHolder = { pid: 1, host: 'box-a', boot: 'boot-1', started: T0 - 5_000 }
const boxB: LockHolder = { pid: 1, host: 'box-b', boot: 'boot-1', started: T0 - 1_000 }

let dir = ''
const releases: Array<() => void> = []
function take(holder: LockHolder, now: () => number, refreshMs?: number): () => void {
  const release = lockDataDir(join(dir, 'pglite'), { holder, now, refreshMs })
  releases.push(release)
  return release
}
const lockFile = () => join(dir, 'pglite.lock')
afterEach(() => {
  for (const release of releases.splice(0)) release()
  rmSync(dir, { recursive: true, force: true })
})

describe('data folder lock', () => {
  it('should keep a refreshing holder of another host, same pid, and hand it over only a minute after its refreshes stop', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mw-lock-'))
    let t = T0
    const releaseA = take(boxA, () => t, 5)
    t = T0 + 10 * lockStaleMs
    // The holder's timer sets the lock's mtime to its time: without it the lock would be 10 minutes old.
    await waitFor(() => statSync(lockFile()).mtimeMs === t, 5_000, 'the holder to refresh its lock')
    releaseA() // stops the refreshes and removes the lock; put its last state back, as a kill -9 leaves it
    writeFileSync(lockFile(), `${JSON.stringify(boxA)}\n`)
    utimesSync(lockFile(), new Date(t), new Date(t))

    expect(() => take(boxB, () => t + lockStaleMs - 1)).toThrow(new DataDirInUseError(join(dir, 'pglite'), boxA))
    take(boxB, () => t + lockStaleMs)
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toEqual(boxB)
  })

  it('should not remove a lock taken over from it, and refuse a second open in one process', () => {
    dir = mkdtempSync(join(tmpdir(), 'mw-lock-'))
    let t = T0
    const releaseA = take(boxA, () => t)
    expect(() => take(boxA, () => t)).toThrow(DataDirInUseError)
    t += lockStaleMs
    take(boxB, () => t)
    releaseA()
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toEqual(boxB)
  })

  it('should treat an empty lock as being written while young, and as stale once old', () => {
    dir = mkdtempSync(join(tmpdir(), 'mw-lock-'))
    writeFileSync(lockFile(), '')
    utimesSync(lockFile(), new Date(T0), new Date(T0))
    expect(() => take(boxB, () => T0 + lockStaleMs - 1)).toThrow('its lock file is being written')
    expect(readFileSync(lockFile(), 'utf8')).toBe('')
    take(boxB, () => T0 + lockStaleMs)
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toEqual(boxB)
    releases.pop()!()
    expect(existsSync(lockFile())).toBe(false)
  })
})

describe('lockIsHeld', () => {
  const me: LockHolder = { pid: 1, host: 'box-a', boot: 'boot-1', started: T0 }
  const running = (pid: number) => pid === 42
  it.each([
    ['another host, same pid, refreshed', { ...me, host: 'box-b', started: T0 - 9_000 }, 59_999, true],
    ['another host, not refreshed for a minute', { ...me, host: 'box-b' }, 60_000, false],
    ['another boot of this host', { ...me, boot: 'boot-0', pid: 7 }, 1_000, true],
    ['our pid with an earlier start here (this container restarted)', { ...me, started: T0 - 1 }, 0, false],
    ['our pid with our start (this process)', me, 0, true],
    ['a running pid here', { ...me, pid: 42 }, 0, true],
    ['a running pid here, not refreshed for a minute', { ...me, pid: 42 }, 60_000, false],
    ['a pid gone here', { ...me, pid: 43 }, 0, false],
    ['a lock being written', null, 59_999, true],
    ['an unreadable lock a minute old', null, 60_000, false],
  ] as const)('%s', (_, holder, ageMs, held) => {
    expect(lockIsHeld(holder, ageMs, me, running)).toBe(held)
  })
})
