/** Verifies our HS256 JWTs and names each failure: malformed, alg not allowed, bad signature, expired, revoked (signed out). */
import { errors, jwtVerify } from 'jose'
import { AuthError } from '../../errors'
import type { TokenRef } from '../../core/revocation-list'
import type { Clock } from '../../ports/clock'
import type { RevokedTokens } from '../../ports/revoked-tokens'

/** The verified caller: its user, the session's id and sign-in time, and the token's issue time and expiry (what a sign-out revokes). */
export interface Principal extends TokenRef {
  email: string
  authTime: number
}

export interface TokenVerifier {
  verify(token: string | null | undefined): Promise<Principal>
}

/** Without `revoked`, no token is ever refused as signed out. */
export function createTokenVerifier(
  secret: string,
  clock: Clock,
  revoked?: Pick<RevokedTokens, 'isRevoked'>,
): TokenVerifier {
  const key = new TextEncoder().encode(secret)
  return {
    async verify(token) {
      if (!token) throw new AuthError('AUTH_REQUIRED', 'authentication required: send a bearer token or sign in')
      const principal = await verifySignedToken(token, key, clock)
      if (revoked && (await revoked.isRevoked(principal)))
        throw new AuthError('TOKEN_REVOKED', 'this session was signed out: sign in again')
      return principal
    },
  }
}

async function verifySignedToken(token: string, key: Uint8Array, clock: Clock): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], currentDate: new Date(clock.now()) })
    const userId = Number(payload.sub)
    if (!Number.isInteger(userId) || typeof payload.email !== 'string' || typeof payload.exp !== 'number')
      throw new AuthError('TOKEN_INVALID', 'token is missing required claims')
    // A token without iat counts as issued at the epoch: "sign out everywhere" covers it.
    const iat = typeof payload.iat === 'number' ? payload.iat : 0
    return {
      userId,
      email: payload.email,
      exp: payload.exp,
      jti: typeof payload.jti === 'string' && payload.jti !== '' ? payload.jti : legacyTokenId(token),
      iat,
      // Tokens from before refresh existed are each their own session, signed in when issued.
      authTime: typeof payload.auth_time === 'number' ? payload.auth_time : iat,
    }
  } catch (e) {
    throw classify(e)
  }
}

/** Tokens issued before ids existed get one derived from their bytes, so they can still be signed out one by one. */
function legacyTokenId(token: string): string {
  return `sha256:${new Bun.CryptoHasher('sha256').update(token).digest('hex').slice(0, 32)}`
}

function classify(e: unknown): AuthError {
  if (e instanceof AuthError) return e
  if (e instanceof errors.JWTExpired) return new AuthError('TOKEN_EXPIRED', 'token has expired: sign in again')
  if (e instanceof errors.JOSEAlgNotAllowed)
    return new AuthError('TOKEN_ALG_NOT_ALLOWED', 'token algorithm is not accepted')
  if (e instanceof errors.JWSSignatureVerificationFailed)
    return new AuthError('TOKEN_SIGNATURE_INVALID', 'token signature does not verify')
  return new AuthError('TOKEN_INVALID', 'token is malformed or invalid')
}
