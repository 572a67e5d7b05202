/** Structured JSON logger: one line per event on stdout/stderr, filtered by level. */
import type { LogLevel, Logger } from '../../ports/logger'

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  const min = rank[level]
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (rank[lvl] < min) return
    const line = JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg, ...base, ...fields })
    if (rank[lvl] >= rank.warn) process.stderr.write(line + '\n')
    else process.stdout.write(line + '\n')
  }
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }),
  }
}
