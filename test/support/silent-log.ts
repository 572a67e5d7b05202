/** A Logger that records instead of printing, for unit tests that exercise failures. */
import type { Logger } from '../../src/ports/logger'

export function createSilentLog(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = []
  const log = {
    lines,
    debug: (msg: string) => void lines.push({ level: 'debug', msg }),
    info: (msg: string) => void lines.push({ level: 'info', msg }),
    warn: (msg: string) => void lines.push({ level: 'warn', msg }),
    error: (msg: string) => void lines.push({ level: 'error', msg }),
    child: () => log,
  }
  return log
}
