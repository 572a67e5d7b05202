/** One process per PGlite data folder: a lock file beside it naming its holder, refreshed while held, taken over only from a holder that is gone. */
/*
 * `<dataDir>.lock` holds {pid, host, boot, started} (host name, kernel boot id, process start ms),
 * and its holder sets its mtime to the current time every 10 s. A lock found by a starting process is:
 * - stale once not refreshed for 60 s (its holder is gone, or frozen that long), whoever wrote it;
 * - else stale at once when its holder is known gone: same host name and boot, and its pid is not
 *   running here, or is our own pid with an earlier start (this container restarted: pid 1 again);
 * - else held: a live process here, a lock being written (empty or unreadable), or another host
 *   name or boot (another container or machine on the volume: its pid means nothing here).
 * Containers sharing a volume must have distinct host names (Docker's and Kubernetes' default; not
 * with host networking or one fixed --hostname, where a restart and a twin look alike). On a network
 * filesystem the lock is advisory: link and rename are atomic there too, but the age rule needs
 * the hosts' clocks within seconds of each other.
 * A lock is taken atomically: written in full to a file of its own, then linked into place (EEXIST
 * when there is one); a stale one is renamed aside first, and put back if it turned out to be fresh.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'

/** How often a holder refreshes its lock. */
export const lockRefreshMs = 10_000
/** A lock not refreshed for this long is stale, whoever holds it. */
export const lockStaleMs = 60_000

/** Who holds a lock: its pid, host name, kernel boot id ('' where unknown) and process start (ms). */
export interface LockHolder {
  pid: number
  host: string
  boot: string
  started: number
}

/** Another live process holds the data folder: opening it too would lose one side's writes. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `process ${holder.pid} on ${holder.host}` : 'another process (its lock file is being written)'
    super(
      `the data folder ${dataDir} is in use by ${who}: two processes on one PGlite folder lose each other's writes; ` +
        'stop that process, give this one another DATA_DIR, or use DATABASE_URL for several replicas',
    )
    this.name = 'DataDirInUseError'
  }
}

/** Whether a lock whose refresh is `ageMs` old still belongs to a live holder (the rule in the header). */
export function lockIsHeld(holder: LockHolder | null, ageMs: number, me: LockHolder, pidRunning: (pid: number) => boolean): boolean {
  if (ageMs >= lockStaleMs) return false
  if (holder === null || holder.host !== me.host || holder.boot !== me.boot) return true
  if (holder.pid === me.pid) return holder.started >= me.started
  return pidRunning(holder.pid)
}

export interface DataDirLockOptions {
  /** Wall time (ms) the refresh age is measured on. @default Date.now */
  now?: () => number
  /** @default lockRefreshMs */
  refreshMs?: number
  /** Who takes the lock (tests stand in for another container). @default this process */
  holder?: LockHolder
}

/** Takes `<dataDir>.lock` (see the header) and refreshes it until the returned release, which removes it if still ours. */
export function lockDataDir(dataDir: string, opts: DataDirLockOptions = {}): () => void {
  const path = `${dataDir}.lock`
  const now = opts.now ?? Date.now
  const me = opts.holder ?? thisProcess()
  const text = `${JSON.stringify(me)}\n`
  mkdirSync(dirname(path), { recursive: true })
  const ino = take(dataDir, text, me, now)
  const timer = setInterval(() => {
    try {
      if (isOurs(path, ino, text)) utimesSync(path, new Date(now()), new Date(now()))
    } catch {}
  }, opts.refreshMs ?? lockRefreshMs)
  timer.unref()
  let held = true
  return () => {
    clearInterval(timer)
    if (!held) return
    held = false
    try {
      if (isOurs(path, ino, text)) rmSync(path)
    } catch {}
  }
}

interface FoundLock {
  holder: LockHolder | null
  mtimeMs: number
  ino: number
}

/** Links `text` into place as the lock, renaming aside a stale one (see the header); returns the lock's inode. */
function take(dataDir: string, text: string, me: LockHolder, now: () => number): number {
  const path = `${dataDir}.lock`
  for (let attempt = 0; attempt < 3; attempt++) {
    const ino = linkNew(path, text, now())
    if (ino !== null) return ino
    const found = readLock(path)
    if (found === null) continue
    if (lockIsHeld(found.holder, now() - found.mtimeMs, me, pidRunning)) throw new DataDirInUseError(dataDir, found.holder)
    moveAside(path, found.ino)
  }
  // Lost the race three times: others are starting on the folder right now.
  throw new DataDirInUseError(dataDir, readLock(path)?.holder ?? null)
}

/** The inode of the lock newly linked at `path`, or null when there is one already. */
function linkNew(path: string, text: string, nowMs: number): number | null {
  // Not `<lock>.<pid>.tmp` alone: two containers on one volume both run as pid 1.
  const tmp = `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`
  writeFileSync(tmp, text, { mode: 0o644, flag: 'wx' })
  try {
    utimesSync(tmp, new Date(nowMs), new Date(nowMs))
    linkSync(tmp, path)
    return statSync(tmp).ino
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null
    throw error
  } finally {
    rmSync(tmp, { force: true })
  }
}

/** The lock at `path` (holder null when empty or unreadable), or null when there is none. */
function readLock(path: string): FoundLock | null {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  try {
    const { mtimeMs, ino } = fstatSync(fd)
    return { holder: parseHolder(readFileSync(fd, 'utf8')), mtimeMs, ino }
  } finally {
    closeSync(fd)
  }
}

/** Renames the stale lock seen (inode `ino`) aside and deletes it; a lock that replaced it meanwhile is linked back. */
function moveAside(path: string, ino: number): void {
  const aside = `${path}.${process.pid}-${randomBytes(6).toString('hex')}.stale`
  try {
    renameSync(path, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  try {
    // Another starter took the stale one over first: that lock is fresh (EEXIST: a third has taken the place since).
    if (statSync(aside).ino !== ino) linkSync(aside, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    rmSync(aside, { force: true })
  }
}

function isOurs(path: string, ino: number, text: string): boolean {
  return statSync(path).ino === ino && readFileSync(path, 'utf8') === text
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>
    const ok = Number.isSafeInteger(h.pid) && typeof h.host === 'string' && typeof h.boot === 'string' && Number.isFinite(h.started)
    return ok ? (h as LockHolder) : null
  } catch {
    return null
  }
}

function thisProcess(): LockHolder {
  let boot = ''
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {}
  return { pid: process.pid, host: hostname(), boot, started: Math.round(performance.timeOrigin) }
}

/** True if `pid` is a running process here (EPERM: running, as another user). */
function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
