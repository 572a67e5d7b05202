/** Verifies our HS256 JWTs and names each failure: malformed, alg not allowed, bad signature, expired. */
import { errors, jwtVerify } from 'jose'
import { AuthError } from '../../errors'
import type { Clock } from '../../ports/clock'

export interface Principal {
  userId: number
  email: string
  /** Unix seconds when the token expires. */
  exp: number
}

export interface TokenVerifier {
  verify(token: string | null | undefined): Promise<Principal>
}

export function createTokenVerifier(secret: string, clock: Clock): TokenVerifier {
  const key = new TextEncoder().encode(secret)
  return {
    async verify(token) {
      if (!token) throw new AuthError('AUTH_REQUIRED', 'authentication required: send a bearer token or sign in')
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], currentDate: new Date(clock.now()) })
        const userId = Number(payload.sub)
        if (!Number.isInteger(userId) || typeof payload.email !== 'string' || typeof payload.exp !== 'number')
          throw new AuthError('TOKEN_INVALID', 'token is missing required claims')
        return { userId, email: payload.email, exp: payload.exp }
      } catch (e) {
        throw classify(e)
      }
    },
  }
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
