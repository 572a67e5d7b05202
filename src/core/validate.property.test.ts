/** Properties of the shared input normalisers (emails, passwords, tickers): a clean value or a 400 naming the field, never another throw. */
import { describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { holds, hostileString, outcome } from '../../test/support/properties'
import { checkPassword, isTickerSyntax, normaliseEmail, normaliseTicker, passwordBounds } from './validate'

const anyInput = fc.oneof(hostileString, fc.string({ unit: 'binary', maxLength: 300 }), fc.anything())
const ticker = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.-]{0,9}$/)

describe('input normalisers (properties)', () => {
  it('should accept an email only as a trimmed, lower-case address of at most 254 characters without spaces, control or format characters', () => {
    holds(
      fc.property(
        fc.oneof(
          anyInput,
          fc.emailAddress(),
          fc.emailAddress().map((e) => ` ${e.toUpperCase()}\u0000`),
        ),
        (raw) => {
          const r = outcome(['INVALID_EMAIL'], () => normaliseEmail(raw))
          if (!r.ok) return
          expect(r.value.length).toBeLessThanOrEqual(254)
          expect(r.value).toBe(r.value.trim().toLowerCase())
          expect(/[\s\x00-\x1f\x7f\p{Cf}]/u.test(r.value)).toBe(false)
          expect(normaliseEmail(r.value)).toBe(r.value)
        },
      ),
    )
  })

  it('should take any password of the allowed length as it is, and refuse every other input', () => {
    holds(
      fc.property(
        fc.oneof(anyInput, fc.string({ unit: 'binary', minLength: passwordBounds.min, maxLength: passwordBounds.max })),
        (raw) => {
          const r = outcome(['INVALID_PASSWORD'], () => checkPassword(raw))
          const fits = typeof raw === 'string' && raw.length >= passwordBounds.min && raw.length <= passwordBounds.max
          expect(r).toEqual(fits ? { ok: true, value: raw } : { ok: false, code: 'INVALID_PASSWORD' })
        },
      ),
    )
  })

  it('should normalise any ticker text or refuse it with the code asked for', () => {
    holds(
      fc.property(
        fc.oneof(
          anyInput,
          ticker,
          ticker.map((t) => ` ${t.toLowerCase()} `),
        ),
        (raw) => {
          const r = outcome(['INVALID_UNDERLYING'], () => normaliseTicker(raw, 'INVALID_UNDERLYING'))
          if (r.ok) expect(isTickerSyntax(r.value) && normaliseTicker(r.value) === r.value).toBe(true)
        },
      ),
    )
  })
})
