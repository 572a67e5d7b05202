/** The process's open-files limit (RLIMIT_NOFILE soft limit) as Linux reports it, for sizing the stream cap; null where it cannot be read. */
import { readFileSync } from 'node:fs'

export function openFilesLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0]
    return soft === undefined || soft === 'unlimited' ? null : Number(soft) || null
  } catch {
    return null
  }
}

/** The default stream cap: the open-files limit less room for everything else a process opens (database, Redis, HTTP, files). */
export function defaultStreamCap(limit: number | null): number {
  if (limit === null) return 10_000
  return Math.max(100, limit - Math.max(256, Math.floor(limit * 0.02)))
}
