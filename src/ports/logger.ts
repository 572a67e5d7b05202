/** Logger port: structured log lines by level, with fields; the JSON adapter is adapters/log/logger.ts. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger
}
