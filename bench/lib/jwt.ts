/** HS256 JWTs for the baselines: the same kind of token the service issues, signed and checked with node:crypto. */
import { createHmac, timingSafeEqual } from 'node:crypto'

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url')

/** A signed HS256 token for user `sub`, valid for ttlSec. */
export function signToken(secret: string, sub: string | number, ttlSec = 3600): string {
  const now = Math.floor(Date.now() / 1000)
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64url(JSON.stringify({ sub: String(sub), iat: now, exp: now + ttlSec }))
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${sig}`
}

/** The `sub` of a valid, unexpired HS256 token, else null. */
export function verifyToken(secret: string, token: string | null): string | null {
  if (!token) return null
  const parts = token.split('.')
  if (parts.length !== 3) return null
  const want = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest()
  const got = Buffer.from(parts[2]!, 'base64url')
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null
  try {
    const head = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString())
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString())
    if (head.alg !== 'HS256' || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return null
    return String(claims.sub)
  } catch {
    return null
  }
}
