/** Accounts: register and log in with argon2id hashes, throttled failures, and answers that never reveal whether an email exists. */
import { AuthError, ConflictError, NotFoundError, RateLimitedError } from '../../../errors'
import { checkPassword, normaliseEmail } from '../../../core/validate'
import type { Clock } from '../../../ports/clock'
import type { LoginAttempts } from '../../../ports/login-attempts'
import type { UserRecord, UserRepo } from '../../../ports/repos'

export interface PasswordHashing {
  /** argon2id cost parameters (OWASP: 19 MiB, t=2); tests may lower them. */
  memoryCost: number
  timeCost: number
}

export interface PublicUser {
  id: number
  email: string
  created_at: string
}

export const toPublicUser = (u: UserRecord): PublicUser => ({
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
  ) {}

  async register(rawEmail: unknown, rawPassword: unknown): Promise<UserRecord> {
    const email = normaliseEmail(rawEmail)
    const password = checkPassword(rawPassword)
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
      ? await Bun.password.verify(password, user.passwordHash)
      : await Bun.password.verify(password, await this.getDummyHash()).then(() => false)
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

  private hash(password: string): Promise<string> {
    return Bun.password.hash(password, { algorithm: 'argon2id', ...this.hashing })
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hash('not-a-real-password-' + crypto.randomUUID())
    return this.dummyHash
  }
}
