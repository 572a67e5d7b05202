/** Stream handshake: finds the JWT (header, subprotocol, query, cookie), checks Origin for cookies and that the token's user exists, and names every refusal. */
import type { Principal, TokenVerifier } from '../ports/token-verifier'
import { AuthError } from '../errors'
import type { UserRepo } from '../ports/repos'
import { bearerToken, isOriginAllowed, readCookie, sessionCookieName } from '../core/credentials'
import { bearerProtocolPrefix, closeForAuthError, subprotocol, type CloseName } from '../contract/protocol'

export type Carrier = 'header' | 'subprotocol' | 'query' | 'cookie'

export type Handshake =
  | { ok: true; principal: Principal; carrier: Carrier }
  | { ok: false; close: CloseName; message: string; cause?: string }

export interface Credentials {
  token: string | null
  carrier: Carrier | null
  /** The client offered `market-watch.v1`: the upgrade response must echo it. */
  echoProtocol: boolean
}

/**
 * The token a handshake carries. Explicit carriers win over the cookie, in this order:
 * `Authorization: Bearer` (non-browser clients; another scheme, a proxy's Basic credentials, is not ours), `Sec-WebSocket-Protocol: market-watch.v1,
 * bearer.<jwt>` (browsers, keeps the token out of URLs and logs), `?token=` (browsers, simplest),
 * then the `mw_token` session cookie (browsers on the same site; needs an allowed Origin).
 */
export function readCredentials(request: Request): Credentials {
  const offered = (request.headers.get('sec-websocket-protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  const echoProtocol = offered.includes(subprotocol)
  const header = bearerToken(request.headers.get('authorization'))
  if (header !== null) return { token: header, carrier: 'header', echoProtocol }
  const bearer = offered.find((p) => p.startsWith(bearerProtocolPrefix))
  if (bearer !== undefined) return { token: bearer.slice(bearerProtocolPrefix.length), carrier: 'subprotocol', echoProtocol }
  const query = new URL(request.url).searchParams.get('token')
  if (query !== null) return { token: query, carrier: 'query', echoProtocol }
  const cookie = readCookie(request.headers.get('cookie'), sessionCookieName)
  if (cookie !== null) return { token: cookie, carrier: 'cookie', echoProtocol }
  return { token: null, carrier: null, echoProtocol }
}

/**
 * Same origin means the Origin's host equals the request's Host (scheme is not compared: TLS
 * usually ends at a proxy in front of us); otherwise the Origin must be a configured CORS origin.
 */
export function originAllowed(request: Request, corsOrigins: string[]): boolean {
  const origin = request.headers.get('origin')
  if (origin === null) return false
  const host = request.headers.get('host')
  try {
    if (host !== null && new URL(origin).host === host) return true
  } catch {
    return false
  }
  return isOriginAllowed(corsOrigins, origin, new URL(request.url).origin)
}

/** Authenticates a handshake; never throws (every failure becomes a named refusal). */
export async function authenticate(
  request: Request,
  credentials: Credentials,
  verifier: TokenVerifier,
  corsOrigins: string[],
): Promise<Handshake> {
  const { token, carrier } = credentials
  if (carrier === null || !token)
    return {
      ok: false,
      close: 'AUTH_REQUIRED',
      message: 'authentication required: send a token (query, subprotocol, header) or sign in',
    }
  if (carrier === 'cookie' && !originAllowed(request, corsOrigins))
    return {
      ok: false,
      close: 'ORIGIN_NOT_ALLOWED',
      message: 'cookie-authenticated streams must come from this site or an allowed origin',
    }
  try {
    return { ok: true, principal: await verifier.verify(token), carrier }
  } catch (e) {
    if (e instanceof AuthError) return { ok: false, close: closeForAuthError(e.code), message: e.message, cause: e.code }
    return { ok: false, close: 'TOKEN_INVALID', message: 'token could not be verified', cause: 'TOKEN_INVALID' }
  }
}

/**
 * An authenticated handshake stands only if the token's user exists (one primary-key lookup): a
 * valid token of a deleted user, or from a database reset under the same secret, is refused as
 * TOKEN_INVALID with cause USER_NOT_FOUND; a database that cannot answer refuses with
 * INTERNAL_ERROR (reconnect with backoff). Never throws.
 */
export async function requireAccount(handshake: Handshake, users: Pick<UserRepo, 'exists'>): Promise<Handshake> {
  if (!handshake.ok) return handshake
  let exists: boolean
  try {
    exists = await users.exists(handshake.principal.userId)
  } catch {
    return {
      ok: false,
      close: 'INTERNAL_ERROR',
      message: 'could not check the account right now; reconnect with backoff',
      cause: 'DATABASE_UNAVAILABLE',
    }
  }
  if (exists) return handshake
  return { ok: false, close: 'TOKEN_INVALID', message: 'the account for this token does not exist', cause: 'USER_NOT_FOUND' }
}
