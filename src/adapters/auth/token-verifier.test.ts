import { describe, expect, it } from 'bun:test'
import { CompactSign, SignJWT } from 'jose'
import { SimulatedClock } from '../memory/simulated-clock'
import { createTokenIssuer } from './token-issuer'
import { createTokenVerifier, tokenClockSkewSec } from './token-verifier'

const secret = 'verifier-test-secret-0123456789-abcdefghij'
const key = new TextEncoder().encode(secret)
const nowMs = 1_700_000_000_000
const now = nowMs / 1000
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')

/** What the issuer writes, signed with the test secret; `claims` overrides or (with undefined) removes a claim. */
function sign(claims: Record<string, unknown> = {}): Promise<string> {
  const payload: Record<string, unknown> = {
    sub: '42',
    email: 'u@example.com',
    jti: crypto.randomUUID(),
    iat: now,
    auth_time: now,
    exp: now + 600,
    ...claims,
  }
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key)
}

const verifier = createTokenVerifier(secret, new SimulatedClock(nowMs))
/** The code a token is refused with, or 'ok'. */
const outcome = (token: string) =>
  verifier.verify(token).then(
    () => 'ok',
    (e) => `${e.status} ${e.code}`,
  )

describe('token verifier', () => {
  it("should accept the issuer's tokens, fresh and refreshed, and read their claims", async () => {
    const issuer = createTokenIssuer(secret, new SimulatedClock(nowMs), 600)
    const issued = await issuer.issue({ id: 42, email: 'u@example.com' })
    expect(await verifier.verify(issued.token)).toEqual({
      userId: 42,
      email: 'u@example.com',
      exp: issued.exp,
      jti: issued.jti,
      iat: issued.iat,
      authTime: issued.authTime,
    })
    const refreshed = await issuer.issue({ id: 42, email: 'u@example.com' }, { jti: issued.jti, authTime: now - 3000 })
    expect((await verifier.verify(refreshed.token)).authTime).toBe(now - 3000)
  })

  it('should refuse a subject that is not a canonical positive user id', async () => {
    for (const sub of [
      '1e0',
      '0x1',
      '01',
      '-1',
      '+1',
      '1.0',
      ' 1',
      '1 ',
      '0',
      '',
      '9007199254740993',
      '12345678901234567',
    ])
      expect([sub, await outcome(await sign({ sub }))]).toEqual([sub, '401 TOKEN_INVALID'])
    expect(await outcome(await sign({ sub: 1 }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ sub: undefined }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ sub: '9007199254740991' }))).toBe('ok')
  })

  it(`should refuse an iat more than ${tokenClockSkewSec} s in the future, or none, and accept one within the skew`, async () => {
    expect(await outcome(await sign({ iat: now + tokenClockSkewSec + 1 }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ iat: now + 3600 }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ iat: undefined }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ iat: String(now) }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ iat: now + tokenClockSkewSec, auth_time: now }))).toBe('ok')
  })

  it(`should refuse an nbf more than ${tokenClockSkewSec} s in the future, and accept one within the skew`, async () => {
    expect(await outcome(await sign({ nbf: now + tokenClockSkewSec + 1 }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ nbf: 'now' }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ nbf: now + 5 }))).toBe('ok')
    expect(await outcome(await sign({ nbf: now - 5 }))).toBe('ok')
  })

  it('should refuse a token without exp as invalid, and an expired one as expired', async () => {
    expect(await outcome(await sign({ exp: undefined }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ exp: '9999999999' }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ exp: now }))).toBe('401 TOKEN_EXPIRED')
    expect(await outcome(await sign({ exp: now - 60, iat: undefined }))).toBe('401 TOKEN_EXPIRED')
  })

  it('should refuse a session id, sign-in time or email the issuer would not write', async () => {
    expect(await outcome(await sign({ jti: undefined }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ jti: 'session-1' }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ auth_time: now + tokenClockSkewSec + 1 }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(await sign({ email: undefined }))).toBe('401 TOKEN_INVALID')
  })

  it('should name a forged signature, a refused algorithm and a malformed token', async () => {
    const forged = await new SignJWT({
      sub: '42',
      email: 'u@example.com',
      jti: crypto.randomUUID(),
      iat: now,
      exp: now + 600,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-0123456789-abcdefghijklm'))
    expect(await outcome(forged)).toBe('401 TOKEN_SIGNATURE_INVALID')
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: '42', email: 'u@example.com', iat: now, exp: now + 600 })}.`
    expect(await outcome(none)).toBe('401 TOKEN_ALG_NOT_ALLOWED')
    expect(await outcome('garbage')).toBe('401 TOKEN_INVALID')
    for (const payload of ['[1]', '"42"', 'null', '{"sub":'])
      expect(
        await outcome(
          await new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'HS256' }).sign(key),
        ),
      ).toBe('401 TOKEN_INVALID')
  })

  it('should answer as jose does: a critical extension, a header that is not an object, a cut, lengthened or padded signature', async () => {
    const good = await sign()
    const [h, p, sig] = good.split('.') as [string, string, string]
    const hmac = (head: string) => new Bun.CryptoHasher('sha256', key).update(`${head}.${p}`).digest('base64url')
    const withHeader = (header: unknown) => {
      const head = Buffer.from(JSON.stringify(header)).toString('base64url')
      return `${head}.${p}.${hmac(head)}`
    }
    expect(await outcome(withHeader({ alg: 'HS256', typ: 'JWT' }))).toBe('ok')
    expect(await outcome(withHeader({ alg: 'HS256', crit: ['b64'], b64: false }))).toBe('401 TOKEN_INVALID')
    expect(await outcome(withHeader(['HS256']))).toBe('401 TOKEN_INVALID')
    expect(await outcome(withHeader({ alg: 'HS512' }))).toBe('401 TOKEN_ALG_NOT_ALLOWED')
    // As jose answers: a segment that is not whole base64 is malformed, a whole one of the wrong length a bad signature, padding fine.
    expect(await outcome(`${h}.${p}.${sig.slice(0, -2)}`)).toBe('401 TOKEN_INVALID')
    expect(await outcome(`${h}.${p}.${sig}AA`)).toBe('401 TOKEN_INVALID')
    expect(await outcome(`${h}.${p}.${sig.slice(0, -1)}`)).toBe('401 TOKEN_SIGNATURE_INVALID')
    expect(await outcome(`${h}.${p}.${sig}AAAA`)).toBe('401 TOKEN_SIGNATURE_INVALID')
    expect(await outcome(`${h}.${p}.${sig}=`)).toBe('ok')
    expect(await outcome(`${h}.${p}`)).toBe('401 TOKEN_INVALID')
    expect(await outcome(`${h}.${p}.${sig}.x`)).toBe('401 TOKEN_INVALID')
  })
})
