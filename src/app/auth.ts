/** Accounts and tokens: argon2id hashing (cheap in test mode) behind a bounded gate, failed-login throttling, the per-address registration limit, and the JWT issuer and verifier. */
import type { Config } from '../config'
import type { Clock } from '../ports/clock'
import type { UserRepo } from '../ports/repos'
import { BoundedSemaphore } from '../core/bounded-semaphore'
import { createTokenIssuer } from '../adapters/auth/token-issuer'
import { createTokenVerifier } from '../adapters/auth/token-verifier'
import { AuthService } from '../services/auth-service'
import type { Transports } from './transports'

export function createAuth(
  config: Config,
  secret: string,
  users: UserRepo,
  { loginAttempts, revokedTokens, rateLimiter }: Pick<Transports, 'loginAttempts' | 'revokedTokens' | 'rateLimiter'>,
  clock: Clock,
) {
  const verifier = createTokenVerifier(secret, clock, revokedTokens)
  const issuer = createTokenIssuer(secret, clock, config.jwtTtlSec)
  const hashing = config.mode === 'test' ? { memoryCost: 4096, timeCost: 1 } : { memoryCost: 19456, timeCost: 2 }
  const hashGate = new BoundedSemaphore(config.auth.passwordHashConcurrency, config.auth.passwordHashQueue)
  const authService = new AuthService(users, loginAttempts, clock, hashing, {
    hashGate,
    limiter: rateLimiter,
    registerPolicy:
      config.auth.registerMaxPerAddress > 0
        ? { name: 'register', limit: config.auth.registerMaxPerAddress, windowMs: config.auth.registerWindowSec * 1000 }
        : null,
  })
  return { verifier, issuer, authService, hashGate }
}
