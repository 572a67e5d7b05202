/** Properties of the REST token carriers: any Cookie or Authorization header yields a token or none, never a throw; cookie values round-trip. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString } from '../../test/support/properties'
import { tokenFromRequest } from './auth-plugin'
import { readCookie, sessionCookieName } from '../core/credentials'

/** Cookie pairs other than ours: names of cookie-name characters, values without `;`. */
const otherCookie = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), fc.string({ unit: 'binary', maxLength: 20 }))
  .filter(([name]) => name !== sessionCookieName)
  .map(([name, value]) => `${name}=${value.replaceAll(';', '')}`)
/** Header text as a client may send it, weighted toward broken percent escapes around our cookie. */
const cookieHeader = fc.oneof(
  hostileString,
  fc
    .tuple(
      fc.array(otherCookie, { maxLength: 3 }),
      fc.oneof(hostileString, fc.stringMatching(/^(%[0-9A-Fa-f]{0,2}|[A-Za-z0-9.])*$/)),
    )
    .map(([others, value]) => [...others, `${sessionCookieName}=${value}`].join('; ')),
)
/** Header values a fetch Request accepts (Latin-1, no line breaks or NUL). */
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
})

describe('REST token carriers (properties)', () => {
  it('should read any Cookie header without throwing (a broken % escape included)', () => {
    holds(
      fc.property(cookieHeader, (header) => {
        const value = readCookie(header, sessionCookieName)
        expect(value === null || typeof value === 'string').toBe(true)
      }),
    )
  })

  it('should give back any cookie value it was sent percent-encoded, whatever cookies surround it', () => {
    holds(
      fc.property(
        fc.array(otherCookie, { maxLength: 3 }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.array(otherCookie, { maxLength: 3 }),
        (before, value, after) => {
          const header = [...before, `${sessionCookieName}=${encodeURIComponent(value)}`, ...after].join('; ')
          expect(readCookie(header, sessionCookieName)).toBe(value)
        },
      ),
    )
  })

  it('should take the bearer token first, then the cookie, from any headers (another scheme is not ours)', () => {
    holds(
      fc.property(
        fc.option(fc.oneof(headerValue, ...['Bearer', 'bearer', 'Basic'].map((scheme) => headerValue.map((v) => `${scheme} ${v}`))), { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        (authorization, cookie) => {
          const headers = new Headers()
          if (authorization !== undefined) headers.set('authorization', authorization)
          if (cookie !== undefined) headers.set('cookie', cookie)
          const r = tokenFromRequest(headers)
          const auth = headers.get('authorization') // as fetch normalises it (trimmed)
          if (auth && /^bearer(\s|$)/i.test(auth)) {
            expect(r.carrier).toBe('header')
            const m = /^Bearer\s+(\S+)$/i.exec(auth)
            expect(r.token).toBe(m ? m[1]! : '')
          } else if (r.carrier === 'cookie') expect(typeof r.token).toBe('string')
          else expect(r).toEqual({ token: null, carrier: null })
        },
      ),
    )
  })
})
