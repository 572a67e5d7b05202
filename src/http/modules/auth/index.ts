/** Auth routes: register, login (JWT in body and HttpOnly cookie), logout, me. */
import { jwt } from '@elysiajs/jwt'
import { Elysia } from 'elysia'
import { clientAddress, createAuthPlugin, sessionCookieName } from '../../auth-plugin'
import { errors } from '../../model'
import type { TokenVerifier } from '../../../adapters/auth/token-verifier'
import type { Clock } from '../../../ports/clock'
import { AuthModel } from './model'
import { type AuthService, toPublicUser } from './service'

export interface AuthRoutesOptions {
  service: AuthService
  verifier: TokenVerifier
  clock: Clock
  secret: string
  ttlSec: number
  secureCookie: boolean
  trustProxy: boolean
}

function sessionCookie(token: string, maxAge: number, secure: boolean): string {
  return `${sessionCookieName}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`
}

export function createAuthRoutes(o: AuthRoutesOptions) {
  return new Elysia({ prefix: '/api/v1/auth', tags: ['auth'] })
    .use(jwt({ name: 'jwt', secret: o.secret, alg: 'HS256' }))
    .use(createAuthPlugin(o.verifier))
    .post(
      '/register',
      async ({ body, set }) => {
        const user = await o.service.register(body.email, body.password)
        set.status = 201
        return { user: toPublicUser(user) }
      },
      {
        body: AuthModel.credentials,
        response: { 201: AuthModel.userBody, ...errors(400, 409, 415) },
        detail: {
          summary: 'Create an account',
          description: 'Errors: INVALID_EMAIL, INVALID_PASSWORD, EMAIL_TAKEN (409).',
        },
      },
    )
    .post(
      '/login',
      async ({ body, request, server, set, jwt }) => {
        const user = await o.service.login(body.email, body.password, clientAddress(request, server, o.trustProxy))
        const exp = Math.floor(o.clock.now() / 1000) + o.ttlSec
        const token = await jwt.sign({ sub: String(user.id), email: user.email, exp })
        set.headers['set-cookie'] = sessionCookie(token, o.ttlSec, o.secureCookie)
        return {
          token,
          token_type: 'Bearer' as const,
          expires_at: new Date(exp * 1000).toISOString(),
          user: toPublicUser(user),
        }
      },
      {
        body: AuthModel.credentials,
        response: { 200: AuthModel.session, ...errors(400, 401, 415, 429) },
        detail: {
          summary: 'Sign in',
          description:
            'Returns the JWT and sets it as an HttpOnly SameSite=Lax cookie. Wrong email and wrong password both answer 401 INVALID_CREDENTIALS; repeated failures answer 429 LOGIN_THROTTLED with Retry-After.',
        },
      },
    )
    .post(
      '/logout',
      ({ set }) => {
        set.headers['set-cookie'] = sessionCookie('', 0, o.secureCookie)
        set.status = 204
      },
      { detail: { summary: 'Clear the session cookie' } },
    )
    .get('/me', async ({ principal }) => ({ user: toPublicUser(await o.service.me(principal.userId)) }), {
      auth: true,
      response: { 200: AuthModel.userBody, ...errors(401, 404) },
      detail: {
        summary: 'The signed-in user',
        description:
          'Errors: AUTH_REQUIRED, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_SIGNATURE_INVALID, TOKEN_ALG_NOT_ALLOWED.',
      },
    })
}
