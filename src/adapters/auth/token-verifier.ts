/** Verifies our HS256 JWTs, reads their claims strictly, and names each failure: malformed, alg not allowed, bad signature, expired, revoked (signed out). */
import { compactVerify, errors } from 'jose'
import { AuthError } from '../../errors'
import type { Clock } from '../../ports/clock'
import type { RevokedTokens } from '../../ports/revoked-tokens'
import type { Principal, TokenVerifier } from '../../ports/token-verifier'

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

/** How far a token's `iat` and `nbf` may lie ahead of this clock (another replica's may run a little fast). */
export const tokenClockSkewSec = 30

/** A user id as the issuer writes it: a canonical positive integer in the safe range ("1e0", "0x1", "01", "-1" are not). */
const subjectPattern = /^[1-9][0-9]{0,15}$/
/** A session id as the issuer makes it (crypto.randomUUID()). */
const sessionIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

async function verifySignedToken(token: string, key: Uint8Array, clock: Clock): Promise<Principal> {
  let payload: unknown
  try {
    const verified = await compactVerify(token, key, { algorithms: ['HS256'] })
    payload = JSON.parse(new TextDecoder().decode(verified.payload))
  } catch (e) {
    throw classify(e)
  }
  return readClaims(payload, clock.now() / 1000)
}

/**
 * The claims of a token whose signature holds, read as strictly as the issuer writes them:
 * `exp` (checked first: a stale token is reported expired), `sub`, `iat`, `jti` and `email`
 * required, `iat` and `nbf` not ahead of `now` by more than the skew, `auth_time` not after `iat`
 * (beyond the skew), else TOKEN_INVALID.
 */
function readClaims(payload: unknown, now: number): Principal {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw invalid('token has no claims object')
  const claims = payload as Record<string, unknown>
  const exp = claims.exp
  if (!isNumericDate(exp)) throw invalid('token has no valid expiry (exp)')
  if (exp <= now) throw new AuthError('TOKEN_EXPIRED', 'token has expired: sign in again')
  const sub = claims.sub
  if (typeof sub !== 'string' || !subjectPattern.test(sub) || !Number.isSafeInteger(Number(sub)))
    throw invalid('token subject (sub) is not a user id')
  const iat = claims.iat
  if (!isNumericDate(iat)) throw invalid('token has no valid issue time (iat)')
  if (iat > now + tokenClockSkewSec) throw invalid('token is issued in the future (iat)')
  if (claims.nbf !== undefined) {
    if (!isNumericDate(claims.nbf)) throw invalid('token has an invalid not-before time (nbf)')
    if (claims.nbf > now + tokenClockSkewSec) throw invalid('token is not valid yet (nbf)')
  }
  // Signed in no later than issued (within the skew: the sign-in and a refresh may come from replicas whose clocks differ).
  const authTime = claims.auth_time ?? iat
  if (!isNumericDate(authTime) || authTime > iat + tokenClockSkewSec)
    throw invalid('token has an invalid sign-in time (auth_time)')
  if (typeof claims.jti !== 'string' || !sessionIdPattern.test(claims.jti))
    throw invalid('token has no valid session id (jti)')
  if (typeof claims.email !== 'string') throw invalid('token has no email')
  return { userId: Number(sub), email: claims.email, exp, jti: claims.jti, iat, authTime }
}

/** A JWT NumericDate: seconds since the epoch, finite (JSON's 1e400 parses to Infinity) and not negative. */
function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

function invalid(message: string): AuthError {
  return new AuthError('TOKEN_INVALID', message)
}

function classify(e: unknown): AuthError {
  if (e instanceof AuthError) return e
  if (e instanceof errors.JOSEAlgNotAllowed)
    return new AuthError('TOKEN_ALG_NOT_ALLOWED', 'token algorithm is not accepted')
  if (e instanceof errors.JWSSignatureVerificationFailed)
    return new AuthError('TOKEN_SIGNATURE_INVALID', 'token signature does not verify')
  return new AuthError('TOKEN_INVALID', 'token is malformed or invalid')
}
