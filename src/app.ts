/** Composition root: the only place that builds adapters, services and the server from a Config. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config'
import { createTokenVerifier } from './adapters/auth/token-verifier'
import { createDb, type DbHandle } from './adapters/db/client'
import { createUserRepo } from './adapters/db/repos/users'
import { createWatchlistRepo } from './adapters/db/repos/watchlist'
import { createLogger, type Logger } from './adapters/log/logger'
import { LoginThrottle } from './core/login-throttle'
import { createSystemClock, type Clock } from './ports/clock'
import { createServer } from './http/server'
import { createAuthRoutes } from './http/modules/auth'
import { AuthService } from './http/modules/auth/service'
import { createSystemRoutes } from './http/modules/system'
import { createWatchlistRoutes } from './http/modules/watchlist'
import { WatchlistService } from './http/modules/watchlist/service'

/** What tests (and only tests) may substitute; production passes nothing. */
export interface AppOverrides {
  clock?: Clock
  log?: Logger
}

export interface App {
  config: Config
  /** In-process request handling (no socket). */
  handle(req: Request): Promise<Response>
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<{ port: number; url: string }>
  stop(): Promise<void>
  db: DbHandle
}

/** In development a missing JWT secret is generated once and kept in the data folder. */
function resolveJwtSecret(config: Config, log: Logger): string {
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

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger(config.logLevel)
  const clock = overrides.clock ?? createSystemClock()
  const secret = resolveJwtSecret(config, log)
  const dbDir = config.dataDir.startsWith('memory://') ? config.dataDir : join(config.dataDir, 'pglite')
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: dbDir })

  const verifier = createTokenVerifier(secret, clock)
  const throttle = new LoginThrottle({
    maxPerAccount: config.auth.loginMaxFailuresPerAccount,
    maxPerAddress: config.auth.loginMaxFailuresPerAddress,
    windowMs: config.auth.loginWindowSec * 1000,
  })
  const hashing = config.mode === 'test' ? { memoryCost: 4096, timeCost: 1 } : { memoryCost: 19456, timeCost: 2 }
  const authService = new AuthService(createUserRepo(db.db), throttle, clock, hashing)
  const watchlist = new WatchlistService(createWatchlistRepo(db.db), config.watchlistMax, async () => true)

  const server = createServer({
    log,
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
    modules: [
      createSystemRoutes([{ name: 'database', check: db.ping }]),
      createAuthRoutes({
        service: authService,
        verifier,
        clock,
        secret,
        ttlSec: config.jwtTtlSec,
        secureCookie: config.mode === 'production',
        trustProxy: config.trustProxy,
      }),
      createWatchlistRoutes(watchlist, verifier, config.watchlistMax),
    ],
  })

  let listening = false
  return {
    config,
    db,
    handle: (req) => server.handle(req),
    async listen() {
      server.listen({ port: config.port, hostname: config.host })
      listening = true
      const port = server.server!.port!
      return { port, url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}` }
    },
    async stop() {
      if (listening) await server.stop(true)
      await db.close()
    },
  }
}
