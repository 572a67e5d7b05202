/** Auth routes: register, login (JWT in body and HttpOnly cookie), refresh (a new token of the same session), logout (revokes the session), me. */
import { Elysia } from 'elysia'
import { createAuthPlugin, tokenFromRequest } from '../../auth-plugin'
import { readCookie, sessionCookieName } from '../../../core/credentials'
import { errors } from '../../model'
import { createRateLimitPlugin, rateLimitedDoc, type RestRateLimits } from '../../rate-limit-plugin'
import { requestAddress } from '../../request-address'
import type { TokenIssuer } from '../../../ports/token-issuer'
import type { Principal, TokenVerifier } from '../../../ports/token-verifier'
import { AuthError } from '../../../errors'
import { AuthModel } from './model'
import type { Session, User } from '../../../contract/rest'
import { type AuthService, toPublicUser } from '../../../services/auth-service'
import type { SessionService } from '../../../services/session-service'

export interface AuthRoutesOptions {
  service: AuthService
  sessions: SessionService
  verifier: TokenVerifier
  /** Signs session tokens (the JWT adapter, built by the composition root). */
  issuer: TokenIssuer
  ttlSec: number
  secureCookie: boolean
  /** TRUST_PROXY_HOPS: which X-Forwarded-For entry is the client (0 = the socket peer). */
  trustProxyHops: number
  rateLimits: RestRateLimits
}

function sessionCookie(token: string, maxAge: number, secure: boolean): string {
  return `${sessionCookieName}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`
}

/** The body login and refresh answer with. */
function sessionBody(token: string, exp: number, user: User): Session {
  return { token, token_type: 'Bearer' as const, expires_at: new Date(exp * 1000).toISOString(), user }
}

/** The valid session tokens a request presents (bearer header and cookie, each at most once); invalid ones are skipped. */
async function presentedSessions(headers: Headers, verifier: TokenVerifier): Promise<Principal[]> {
  const tokens = new Set([tokenFromRequest(headers).token, readCookie(headers.get('cookie'), sessionCookieName)])
  const principals: Principal[] = []
  for (const token of tokens) {
    if (!token) continue
    try {
      principals.push(await verifier.verify(token))
    } catch (e) {
      if (!(e instanceof AuthError)) throw e
    }
  }
  return principals
}

export function createAuthRoutes(o: AuthRoutesOptions) {
  return new Elysia({ prefix: '/api/v1/auth', tags: ['auth'] })
    .use(createAuthPlugin(o.verifier))
    .use(createRateLimitPlugin(o.verifier, o.rateLimits))
    .post(
      '/register',
      async ({ body, request, server, set }) => {
        const user = await o.service.register(
          body.email,
          body.password,
          requestAddress(request, server, o.trustProxyHops),
        )
        set.status = 201
        return { user: toPublicUser(user) }
      },
      {
        body: AuthModel.registration,
        parse: 'json',
        response: { 201: AuthModel.userBody, ...errors(400, 409, 415, 429, 503) },
        detail: {
          summary: 'Create an account',
          security: [],
          description:
            'Errors: INVALID_EMAIL, INVALID_PASSWORD (400); EMAIL_TAKEN (409); REGISTRATION_THROTTLED (429 with Retry-After: more than REGISTER_MAX_PER_ADDRESS registrations from this client address within REGISTER_WINDOW_SECONDS); SERVER_BUSY (503 with Retry-After: 1, password hashing saturated).',
        },
      },
    )
    .post(
      '/login',
      async ({ body, request, server, set }) => {
        const user = await o.service.login(body.email, body.password, requestAddress(request, server, o.trustProxyHops))
        const { token, exp } = await o.issuer.issue(user)
        set.headers['set-cookie'] = sessionCookie(token, o.ttlSec, o.secureCookie)
        return sessionBody(token, exp, toPublicUser(user))
      },
      {
        body: AuthModel.credentials,
        parse: 'json',
        response: { 200: AuthModel.session, ...errors(400, 401, 415, 429, 503) },
        detail: {
          summary: 'Sign in',
          security: [],
          description:
            'Returns the JWT and sets it as an HttpOnly SameSite=Lax cookie. Wrong email and wrong password both answer 401 INVALID_CREDENTIALS; repeated failures answer 429 LOGIN_THROTTLED with Retry-After; 503 SERVER_BUSY (Retry-After: 1) when password hashing is saturated.',
        },
      },
    )
    .post(
      '/refresh',
      async ({ request, set }) => {
        const principal = await o.verifier.verify(tokenFromRequest(request.headers).token)
        o.sessions.assertRefreshable(principal)
        const user = await o.service.me(principal.userId)
        const { token, exp } = await o.issuer.issue(user, principal)
        set.headers['set-cookie'] = sessionCookie(token, o.ttlSec, o.secureCookie)
        return sessionBody(token, exp, toPublicUser(user))
      },
      {
        response: { 200: AuthModel.session, ...errors(401, 404) },
        detail: {
          summary: 'Refresh the session token',
          description:
            'With a valid token (Authorization: Bearer, else the mw_token cookie), returns a new token of the same session (same `jti` and `auth_time`, new `iat` and `exp`) and sets it as the cookie; the body is the one login answers with. ' +
            'The old token stays valid until its own exp; a logout with any token of the session revokes all of them. ' +
            'A session signed in more than SESSION_MAX_SECONDS ago is not refreshed. ' +
            'Errors: AUTH_REQUIRED, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED, TOKEN_SIGNATURE_INVALID, TOKEN_ALG_NOT_ALLOWED, SESSION_TOO_OLD (all 401); USER_NOT_FOUND (404).',
        },
      },
    )
    .post(
      '/logout',
      async ({ request, query, set }) => {
        for (const principal of await presentedSessions(request.headers, o.verifier))
          await o.sessions.signOut(principal, query.everywhere === true)
        set.headers['set-cookie'] = sessionCookie('', 0, o.secureCookie)
        set.status = 204
      },
      {
        query: AuthModel.logoutQuery,
        response: { 204: AuthModel.noContent, ...errors(400) },
        detail: {
          summary: 'Sign out',
          // Any token or none: the token is optional.
          security: [{ bearer: [] }, { sessionCookie: [] }, {}],
          description:
            'Revokes the session of the token the request presents (Authorization: Bearer and/or the mw_token cookie): that token and every token refreshed from the same sign-in. Clears the cookie. ' +
            'With `?everywhere=true`, also revokes every other session of the user (sessions signed in before now, on any device, however recently refreshed). ' +
            'A revoked token answers 401 TOKEN_REVOKED on REST; open streams using it are closed with 4502 within about a second, on every replica. ' +
            'Always 204, also without a token or with an invalid, expired or already revoked one; 400 INVALID_REQUEST (revoking nothing) only when `everywhere` is neither true nor false or is given more than once.',
        },
      },
    )
    .get('/me', async ({ principal }) => ({ user: toPublicUser(await o.service.me(principal.userId)) }), {
      auth: true,
      rateLimit: 'rest',
      response: { 200: AuthModel.userBody, ...errors(401, 404, 429) },
      detail: {
        summary: 'The signed-in user',
        description: `Errors: AUTH_REQUIRED, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED, TOKEN_SIGNATURE_INVALID, TOKEN_ALG_NOT_ALLOWED (401); ${rateLimitedDoc}.`,
      },
    })
}
