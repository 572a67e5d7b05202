/** Accounts: register and log in with argon2id hashes (bounded concurrency), throttled failures and registrations, and answers that never reveal whether an email exists. */
import type { BoundedSemaphore } from '../core/bounded-semaphore'
import { resetSeconds } from '../core/rate-window'
import { AuthError, ConflictError, NotFoundError, RateLimitedError, ServerBusyError } from '../errors'
import { checkPassword, normaliseEmail } from '../core/validate'
import type { User } from '../contract/rest'
import type { Clock } from '../ports/clock'
import type { LoginAttempts } from '../ports/login-attempts'
import type { RateLimiter, RatePolicy } from '../ports/rate-limiter'
import type { UserRecord, UserRepo } from '../ports/repos'

export interface PasswordHashing {
  /** argon2id cost parameters (OWASP: 19 MiB, t=2); tests may lower them. */
  memoryCost: number
  timeCost: number
}

/** What keeps a flood of sign-ups and sign-ins from taking the CPU. */
export interface AuthGuards {
  /** Every argon2id hash and verify (the dummy one for unknown emails too) runs through it; a full queue answers 503 SERVER_BUSY. */
  hashGate: BoundedSemaphore
  /** Counts registrations per client address (cluster-wide with Redis). */
  limiter: RateLimiter
  /** REGISTER_MAX_PER_ADDRESS per REGISTER_WINDOW_SECONDS; null = no limit. */
  registerPolicy: RatePolicy | null
}

/** A user as the API shows it. */
export const toPublicUser = (u: UserRecord): User => ({
  id: u.id,
  email: u.email,
  created_at: u.createdAt.toISOString(),
})

export class AuthService {
  private dummyHash: Promise<string> | null = null
  constructor(
    private users: UserRepo,
    private attempts: LoginAttempts,
    private clock: Clock,
    private hashing: PasswordHashing,
    private guards: AuthGuards,
  ) {}

  /** Valid input from an address under its registration limit gets an account (429 REGISTRATION_THROTTLED otherwise). */
  async register(rawEmail: unknown, rawPassword: unknown, address: string): Promise<UserRecord> {
    const email = normaliseEmail(rawEmail)
    const password = checkPassword(rawPassword)
    await this.throttleRegistration(address)
    const user = await this.users.create(email, await this.hash(password))
    if (!user) throw new ConflictError('EMAIL_TAKEN', 'an account with this email already exists')
    return user
  }

  /** Same 401 for unknown email and wrong password, and the same hashing work in both cases. */
  async login(rawEmail: unknown, rawPassword: unknown, address: string): Promise<UserRecord> {
    const email = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : ''
    const now = this.clock.now()
    const verdict = await this.attempts.check(email, address, now)
    if (!verdict.allowed)
      throw new RateLimitedError(
        'LOGIN_THROTTLED',
        'too many failed sign-in attempts; try again later',
        Math.ceil(verdict.retryAfterMs / 1000),
      )
    const password = typeof rawPassword === 'string' ? rawPassword : ''
    const user = email ? await this.users.findByEmail(email) : null
    const ok = user
      ? await this.gated(() => Bun.password.verify(password, user.passwordHash))
      : await this.getDummyHash().then((hash) => this.gated(() => Bun.password.verify(password, hash))).then(() => false)
    if (!user || !ok) {
      await this.attempts.recordFailure(email, address, now)
      throw new AuthError('INVALID_CREDENTIALS', 'email or password is incorrect')
    }
    await this.attempts.recordSuccess(email)
    return user
  }

  async me(userId: number): Promise<UserRecord> {
    const user = await this.users.findById(userId)
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'the account for this token no longer exists')
    return user
  }

  private async throttleRegistration(address: string): Promise<void> {
    const policy = this.guards.registerPolicy
    if (policy === null) return
    const verdict = await this.guards.limiter.take(address, policy, this.clock.now())
    if (!verdict.allowed)
      throw new RateLimitedError(
        'REGISTRATION_THROTTLED',
        'too many accounts created from this address; try again later',
        resetSeconds(verdict),
      )
  }

  private hash(password: string): Promise<string> {
    return this.gated(() => Bun.password.hash(password, { algorithm: 'argon2id', ...this.hashing }))
  }

  /** Runs argon2id work through the hash gate: waits in its bounded queue, or 503 SERVER_BUSY when that is full. */
  private gated<T>(work: () => Promise<T>): Promise<T> {
    const run = this.guards.hashGate.tryRun(work)
    return run ?? Promise.reject(new ServerBusyError('the server is busy hashing passwords; retry in a second', 1))
  }

  /** Computed once; a refused or failed attempt is forgotten, so the next login tries again. */
  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hash('not-a-real-password-' + crypto.randomUUID()).catch((error) => {
      this.dummyHash = null
      throw error
    })
    return this.dummyHash
  }
}
