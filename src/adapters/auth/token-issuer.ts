/** Issues our HS256 session JWTs: subject, email, `jti` (the sign-in session), `auth_time`, `iat` to the millisecond and `exp`, on the injected clock. */
import { SignJWT } from 'jose'
import type { Clock } from '../../ports/clock'
import type { TokenIssuer } from '../../ports/token-issuer'

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
