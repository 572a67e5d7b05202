/** Issues our HS256 session JWTs: subject, email, a random `jti`, `iat` to the millisecond and `exp`, on the injected clock. */
import { SignJWT } from 'jose'
import type { Clock } from '../../ports/clock'

export interface IssuedToken {
  token: string
  /** The token's id, what a sign-out revokes. */
  jti: string
  /** Unix seconds with milliseconds (RFC 7519 allows a fractional NumericDate): "sign out everywhere" cuts at this precision. */
  iat: number
  /** Unix seconds. */
  exp: number
}

export interface TokenIssuer {
  issue(user: { id: number; email: string }): Promise<IssuedToken>
}

export function createTokenIssuer(secret: string, clock: Clock, ttlSec: number): TokenIssuer {
  const key = new TextEncoder().encode(secret)
  return {
    async issue(user) {
      const now = clock.now()
      const jti = crypto.randomUUID()
      const iat = now / 1000
      const exp = Math.floor(now / 1000) + ttlSec
      const token = await new SignJWT({ email: user.email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(user.id))
        .setJti(jti)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key)
      return { token, jti, iat, exp }
    },
  }
}
