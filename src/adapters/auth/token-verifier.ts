/** Verifies our HS256 JWTs, reads their claims strictly, and names each failure: malformed, alg not allowed, bad signature, expired, revoked (signed out). */
import { createHmac, timingSafeEqual } from 'node:crypto'
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
  const key = Buffer.from(secret, 'utf8')
  return {
    async verify(token) {
      if (!token) throw new AuthError('AUTH_REQUIRED', 'authentication required: send a bearer token or sign in')
      const principal = verifySignedToken(token, key, clock)
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

/** A compact JWS: header, payload and signature in base64url (padding tolerated, as jose does; the signature empty for alg none). */
const compactPattern = /^([A-Za-z0-9_-]+={0,2})\.([A-Za-z0-9_-]+={0,2})\.([A-Za-z0-9_-]*={0,2})$/

/**
 * Checks an HS256 compact JWS the way jose's compactVerify does (a JSON object header whose alg
 * is HS256 and that asks no critical extension, then the HMAC, then a JSON payload), with
 * node:crypto's synchronous HMAC: WebCrypto's asynchronous verify left about 2.5 KB of resident
 * memory behind per stream handshake under a burst of connections (issue 16's probe), and a
 * token costs one hash, not a key import and a trip to a worker thread.
 */
function verifySignedToken(token: string, key: Buffer, clock: Clock): Principal {
  const parts = compactPattern.exec(token)
  if (parts === null) throw malformed()
  const [, header, payload, signature] = parts as unknown as [string, string, string, string]
  if (!isBase64url(header) || !isBase64url(payload) || !isBase64url(signature)) throw malformed()
  const protectedHeader = decodeJson(header)
  if (typeof protectedHeader !== 'object' || protectedHeader === null || Array.isArray(protectedHeader)) throw malformed()
  const { alg, crit } = protectedHeader as { alg?: unknown; crit?: unknown }
  if (alg !== 'HS256') throw new AuthError('TOKEN_ALG_NOT_ALLOWED', 'token algorithm is not accepted')
  // No extension is understood here, so none may be critical (RFC 7515 4.1.11).
  if (crit !== undefined) throw malformed()
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new AuthError('TOKEN_SIGNATURE_INVALID', 'token signature does not verify')
  return readClaims(decodeJson(payload), clock.now() / 1000)
}

/** Decodable base64url: without its padding, a length of 4n + 1 holds no whole byte (jose refuses it as malformed). */
function isBase64url(segment: string): boolean {
  const end = segment.indexOf('=')
  return (end < 0 ? segment.length : end) % 4 !== 1
}

/** A base64url segment's JSON, or TOKEN_INVALID. */
function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw malformed()
  }
}

function malformed(): AuthError {
  return new AuthError('TOKEN_INVALID', 'token is malformed or invalid')
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
