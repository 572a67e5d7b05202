/** Issues our HS256 session JWTs: subject, email, `jti` (the sign-in session), `auth_time`, `iat` to the millisecond and `exp`, on the injected clock. */
import { SignJWT } from 'jose'
import type { Clock } from '../../ports/clock'

export interface IssuedToken {
  token: string
  /** The session's id: new at sign-in, kept by every refresh; what a sign-out revokes. */
  jti: string
  /** Unix seconds with milliseconds (RFC 7519 allows a fractional NumericDate): "sign out everywhere" cuts at this precision. */
  iat: number
  /** When the session signed in (the `auth_time` claim), Unix seconds with milliseconds; kept by every refresh. */
  authTime: number
  /** Unix seconds. */
  exp: number
}

/** The session a refreshed token continues. */
export interface SessionRef {
  jti: string
  authTime: number
}

export interface TokenIssuer {
  /** A token for a new sign-in, or with `session` a fresh token of that session (same jti and auth_time, new iat and exp). */
  issue(user: { id: number; email: string }, session?: SessionRef): Promise<IssuedToken>
}

export function createTokenIssuer(secret: string, clock: Clock, ttlSec: number): TokenIssuer {
  const key = new TextEncoder().encode(secret)
  return {
    async issue(user, session) {
      const now = clock.now()
      const iat = now / 1000
      const jti = session?.jti ?? crypto.randomUUID()
      const authTime = session?.authTime ?? iat
      const exp = Math.floor(now / 1000) + ttlSec
      const token = await new SignJWT({ email: user.email, auth_time: authTime })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(user.id))
        .setJti(jti)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key)
      return { token, jti, iat, authTime, exp }
    },
  }
}
