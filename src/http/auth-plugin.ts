/** Resolves the caller: a Bearer token or the session cookie, verified with named failures; `auth: true` on a route requires it. */
import { Elysia } from 'elysia'
import { bearerToken, readCookie, sessionCookieName } from '../core/credentials'
import type { Principal, TokenVerifier } from '../ports/token-verifier'

/** The token a request carries: Authorization: Bearer first, then the session cookie (another scheme is a proxy's: ignored). */
export function tokenFromRequest(headers: Headers): { token: string | null; carrier: 'header' | 'cookie' | null } {
  const bearer = bearerToken(headers.get('authorization'))
  if (bearer !== null) return { token: bearer, carrier: 'header' }
  const cookie = readCookie(headers.get('cookie'), sessionCookieName)
  return cookie ? { token: cookie, carrier: 'cookie' } : { token: null, carrier: null }
}

export function createAuthPlugin(verifier: TokenVerifier) {
  return new Elysia({ name: 'auth-plugin' }).macro({
    auth: {
      async resolve({ request }): Promise<{ principal: Principal }> {
        const { token } = tokenFromRequest(request.headers)
        return { principal: await verifier.verify(token) }
      },
    },
  })
}
