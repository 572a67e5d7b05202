/** The JWT secret: from the configuration, or in development one generated once and kept in the data folder. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../config'
import type { Logger } from '../ports/logger'

/** In development a missing JWT secret is generated once and kept in the data folder. */
export function resolveJwtSecret(config: Config, log: Logger): string {
  if (config.jwtSecret) return config.jwtSecret
  const file = join(config.dataDir, 'jwt-secret')
  if (existsSync(file)) {
    log.warn('using the development JWT secret kept in the data folder; set JWT_SECRET in production', { file })
    return readFileSync(file, 'utf8').trim()
  }
  mkdirSync(config.dataDir, { recursive: true })
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url')
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  chmodSync(file, 0o600)
  log.warn('JWT_SECRET is not set: generated a development secret and kept it in the data folder', { file })
  return secret
}
