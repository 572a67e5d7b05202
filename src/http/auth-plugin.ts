/** Resolves the caller: a Bearer token or the session cookie, verified with named failures; `auth: true` on a route requires it. */
import { Elysia } from 'elysia'
import type { Principal, TokenVerifier } from '../ports/token-verifier'

export const sessionCookieName = 'mw_token'

/** The token a request carries: Authorization: Bearer first, then the session cookie. */
export function tokenFromRequest(headers: Headers): { token: string | null; carrier: 'header' | 'cookie' | null } {
  const auth = headers.get('authorization')
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth)
    return { token: m ? m[1] : '', carrier: 'header' }
  }
  const cookie = readCookie(headers.get('cookie'), sessionCookieName)
  return cookie ? { token: cookie, carrier: 'cookie' } : { token: null, carrier: null }
}

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const i = part.indexOf('=')
    if (i > 0 && part.slice(0, i).trim() === name) return decodeCookieValue(part.slice(i + 1).trim())
  }
  return null
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

/** A cookie value percent-decoded; a broken escape (a client's, never ours) is kept as it came and fails verification like any bad token. */
function decodeCookieValue(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}
