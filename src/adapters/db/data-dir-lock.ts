/** One process per PGlite data folder: a lock file beside it holding the owner's pid, taken over only from a process that is gone. */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

/** Another live process holds the data folder: opening it too would lose one side's writes. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the data folder ${dataDir} is in use by process ${pid}: two processes on one PGlite folder lose each other's writes; ` +
        'stop that process, give this one another DATA_DIR, or use DATABASE_URL for several replicas',
    )
    this.name = 'DataDirInUseError'
  }
}

/** Folders this process holds (a second open in the same process is refused too). */
const heldHere = new Set<string>()

/**
 * Takes `<dataDir>.lock` for this process, as PostgreSQL's postmaster.pid does: a lock whose pid is
 * alive (and not this process) refuses; one left by a process that died (kill -9, a crash, a
 * container restart) is taken over. Returns the release, which removes the file if it is still ours.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = `${dataDir}.lock`
  if (heldHere.has(path)) throw new DataDirInUseError(dataDir, process.pid)
  mkdirSync(dirname(path), { recursive: true })
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = lockOwner(path)
      if (owner !== null && isAlive(owner)) throw new DataDirInUseError(dataDir, owner)
      // Stale (its process is gone, or the file is unreadable): take it over once; losing that race means a live owner.
      if (attempt > 0) throw new DataDirInUseError(dataDir, owner ?? 0)
      unlinkSync(path)
    }
  }
  heldHere.add(path)
  return () => {
    if (!heldHere.delete(path)) return
    try {
      if (lockOwner(path) === process.pid) unlinkSync(path)
    } catch {}
  }
}

function lockOwner(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim())
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** True if `pid` is a live process other than this one (this pid in a file means a previous life of this container). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
