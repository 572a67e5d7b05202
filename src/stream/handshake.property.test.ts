/** Properties of the stream handshake: any request yields credentials and a named refusal or a principal, never a throw; carriers keep their order. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { CompactSign } from 'jose'
import { holds, hostileString, propertyRuns } from '../../test/support/properties'
import { createTokenVerifier } from '../adapters/auth/token-verifier'
import { sessionCookieName } from '../core/credentials'
import { authenticate, readCredentials } from './handshake'

const secret = 'handshake-property-secret-0123456789'
const now = Date.parse('2026-11-20T15:00:00Z')
const verifier = createTokenVerifier(secret, { now: () => now } as never)
/** Header values a fetch Request accepts (Latin-1, no line breaks or NUL). */
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
})
const jwtLike = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}(\.[A-Za-z0-9_-]{0,20}){0,3}$/)
/** Tokens signed with the right key around arbitrary claims: the signature holds, the claims are anyone's guess. */
const signedClaims = fc
  .oneof(
    fc.jsonValue(),
    fc.record(
      {
        sub: fc.oneof(fc.jsonValue(), fc.constantFrom('1', '1e0', '0x1', '01', '-1', '9007199254740993')),
        exp: fc.oneof(fc.jsonValue(), fc.integer({ min: now / 1000 - 100, max: now / 1000 + 100 })),
        iat: fc.oneof(fc.jsonValue(), fc.integer({ min: now / 1000 - 100, max: now / 1000 + 100 })),
        nbf: fc.jsonValue(),
        jti: fc.oneof(fc.jsonValue(), fc.uuid()),
        email: fc.jsonValue(),
        auth_time: fc.jsonValue(),
      },
      { requiredKeys: [] },
    ),
  )
  .map((claims) => JSON.stringify(claims) ?? 'null')
/** Each carrier present half of the time, so every one of them is reached, the cookie with broken escapes too. */
const sometimes = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 })
const request = fc.record({
  authorization: sometimes(fc.oneof(headerValue, ...['Bearer', 'bearer', 'Basic'].map((scheme) => headerValue.map((v) => `${scheme} ${v}`)))),
  protocols: sometimes(
    fc
      .array(
        fc.oneof(
          fc.constantFrom('market-watch.v1', 'bearer.'),
          jwtLike.map((t) => `bearer.${t}`),
          fc.stringMatching(/^[!-~]{0,12}$/),
        ),
        { maxLength: 3 },
      )
      .map((p) => p.join(', ')),
  ),
  token: sometimes(fc.oneof(jwtLike, hostileString)),
  cookie: sometimes(
    fc.oneof(
      headerValue,
      jwtLike.map((t) => `${sessionCookieName}=${t}`),
      fc.constantFrom(`${sessionCookieName}=%E0%A4%A`, `a=1; ${sessionCookieName}=%`),
    ),
  ),
  origin: sometimes(fc.oneof(fc.constantFrom('http://localhost', 'https://evil.example', 'null'), headerValue)),
})

function toRequest(r: {
  authorization?: string
  protocols?: string
  token?: string
  cookie?: string
  origin?: string
}): Request {
  const url = new URL('http://localhost/api/v1/stream')
  if (r.token !== undefined) url.searchParams.set('token', r.token)
  const headers = new Headers({ host: 'localhost' })
  if (r.authorization !== undefined) headers.set('authorization', r.authorization)
  if (r.protocols !== undefined) headers.set('sec-websocket-protocol', r.protocols)
  if (r.cookie !== undefined) headers.set('cookie', r.cookie)
  if (r.origin !== undefined) headers.set('origin', r.origin)
  return new Request(url, { headers })
}

describe('stream handshake (properties)', () => {
  it('should find credentials in any request in carrier order: header, subprotocol, query, cookie', () => {
    holds(
      fc.property(request, (r) => {
        const req = toRequest(r)
        const c = readCredentials(req)
        const offered = (req.headers.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim())
        expect(c.echoProtocol).toBe(offered.includes('market-watch.v1'))
        if (/^bearer(\s|$)/i.test(req.headers.get('authorization') ?? '')) expect(c.carrier).toBe('header')
        else if (offered.some((p) => p.startsWith('bearer.'))) expect(c.carrier).toBe('subprotocol')
        else if (r.token !== undefined)
          expect(c).toEqual({
            carrier: 'query',
            token: new URL(req.url).searchParams.get('token'),
            echoProtocol: c.echoProtocol,
          })
        else expect(c.carrier === 'cookie' || c.carrier === null).toBe(true)
        expect(c.token === null || typeof c.token === 'string').toBe(true)
      }),
    )
  })

  it('should answer any handshake with a principal or a named refusal, never a throw', async () => {
    const tokens = fc.oneof(
      jwtLike,
      hostileString,
      signedClaims.map((claims) =>
        new CompactSign(new TextEncoder().encode(claims))
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(secret)),
      ),
    )
    await fc.assert(
      fc.asyncProperty(request, fc.option(tokens, { nil: undefined }), async (r, token) => {
        // A token a header can carry goes in Authorization, any other in the query.
        const t = token === undefined ? undefined : await token
        const carried =
          t === undefined ? {} : /^[\x20-\xff]*$/.test(t) ? { authorization: `Bearer ${t}` } : { token: t }
        const req = toRequest({ ...r, ...carried })
        const h = await authenticate(req, readCredentials(req), verifier, ['http://localhost'])
        if (h.ok) expect(typeof h.principal.userId).toBe('number')
        else expect(['AUTH_REQUIRED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'ORIGIN_NOT_ALLOWED']).toContain(h.close)
      }),
      { numRuns: Math.floor(propertyRuns.numRuns / 2) },
    )
  })
})
