/** Tests of a connection's token: expiry deadlines and the once-per-token notice, in-band refresh outcomes, and a sign-out racing a refresh. */
import { describe, expect, it } from 'bun:test'
import { createTokenIssuer } from '../adapters/auth/token-issuer'
import { createTokenVerifier } from '../adapters/auth/token-verifier'
import type { Principal, TokenVerifier } from '../ports/token-verifier'
import { tokenExpiringNoticeMs } from '../contract/protocol'
import { MemoryRevokedTokens } from '../adapters/memory/memory-revoked-tokens'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { ConnectionSession } from './connection-session'

const secret = 'session-test-secret-0123456789-abcdefgh'
const T0 = 1_800_000_000_000

function setup() {
  const clock = new SimulatedClock(T0)
  const revoked = new MemoryRevokedTokens({ tokenTtlSec: 600, clock })
  const issuer = createTokenIssuer(secret, clock, 600)
  const verifier = createTokenVerifier(secret, clock, revoked)
  const principalOf = (token: string | null | undefined) => verifier.verify(token)
  const user = { id: 7, email: 'u@example.com' }
  return { clock, revoked, issuer, verifier, principalOf, user }
}

describe('ConnectionSession', () => {
  it('should be due a notice once, tokenExpiringNoticeMs before expiry, then the close at expiry', async () => {
    const { clock, issuer, principalOf, user } = setup()
    const issued = await issuer.issue(user)
    const session = new ConnectionSession(await principalOf(issued.token), clock.now())
    const expiresAt = issued.exp * 1000
    expect(session.expiresAt).toBe(expiresAt)
    expect(session.deadline()).toBe(expiresAt - tokenExpiringNoticeMs)
    expect(session.due(expiresAt - tokenExpiringNoticeMs - 1)).toBe('none')
    expect(session.due(expiresAt - tokenExpiringNoticeMs)).toBe('notice')
    expect(session.due(expiresAt - 1)).toBe('none')
    expect(session.deadline()).toBe(expiresAt)
    expect(session.due(expiresAt)).toBe('expired')
    expect(clock.now()).toBe(T0)
  })

  it('should give a token taken with under two notice periods left its notice halfway through, never at once', async () => {
    const { clock, issuer, principalOf, user } = setup()
    const issued = await issuer.issue(user)
    const expiresAt = issued.exp * 1000
    const late = new ConnectionSession(await principalOf(issued.token), expiresAt - 60_000)
    expect(late.deadline()).toBe(expiresAt - 30_000)
    expect(late.due(expiresAt - 30_001)).toBe('none')
    expect(late.due(expiresAt - 30_000)).toBe('notice')
    expect(clock.now()).toBe(T0)
  })

  it('should adopt a refreshed token of the same session and be due a new notice for it', async () => {
    const { clock, issuer, principalOf, user } = setup()
    const first = await issuer.issue(user)
    const session = new ConnectionSession(await principalOf(first.token), clock.now())
    expect(session.due(first.exp * 1000 - 1000)).toBe('notice')
    clock.advance(300_000)
    const next = await issuer.issue(user, { jti: first.jti, authTime: first.authTime })
    const outcome = await session.refresh(next.token, { verify: principalOf }, () => clock.now())
    expect(outcome.ok).toBe(true)
    expect(session.principal).toMatchObject({ jti: first.jti, exp: next.exp, authTime: first.authTime })
    expect(session.deadline()).toBe(next.exp * 1000 - tokenExpiringNoticeMs)
  })

  it('should refuse an expired, forged, revoked or other user’s token and keep its own', async () => {
    const { clock, revoked, issuer, principalOf, user } = setup()
    const own = await issuer.issue(user)
    const session = new ConnectionSession(await principalOf(own.token), clock.now())
    const expired = await issuer.issue(user)
    const forged = await createTokenIssuer('another-secret-0123456789-abcdefghijkl', clock, 600).issue(user)
    const signedOut = await issuer.issue(user)
    await revoked.revoke(signedOut.jti, signedOut.exp)
    const other = await issuer.issue({ id: 8, email: 'o@example.com' })
    clock.advance(1)
    const verifier = { verify: principalOf }
    const codes: string[] = []
    for (const token of [forged.token, signedOut.token, other.token, 'garbage']) {
      const outcome = await session.refresh(token, verifier, () => clock.now())
      codes.push(outcome.ok ? 'ok' : outcome.error.code)
    }
    clock.advance(600_000)
    const late = await session.refresh(expired.token, verifier, () => clock.now())
    codes.push(late.ok ? 'ok' : late.error.code)
    expect(codes).toEqual([
      'TOKEN_SIGNATURE_INVALID',
      'TOKEN_REVOKED',
      'TOKEN_USER_MISMATCH',
      'TOKEN_INVALID',
      'TOKEN_EXPIRED',
    ])
    expect(session.principal.jti).toBe(own.jti)
  })

  it('should refuse a new token whose sign-out was heard while it was being verified', async () => {
    const { clock, issuer, principalOf, user } = setup()
    const session = new ConnectionSession(await principalOf((await issuer.issue(user)).token), clock.now())
    const other = await issuer.issue(user)
    let release = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const slowVerifier: Pick<TokenVerifier, 'verify'> = {
      verify: async (token): Promise<Principal> => {
        const principal = await principalOf(token)
        await gate
        return principal
      },
    }
    const pending = session.refresh(other.token, slowVerifier, () => clock.now())
    expect(session.covers({ kind: 'token', jti: other.jti, expSec: other.exp })).toBe(false)
    release()
    const outcome = await pending
    expect(outcome).toMatchObject({ ok: false, error: { code: 'TOKEN_REVOKED' } })
    expect(session.covers({ kind: 'token', jti: other.jti, expSec: other.exp })).toBe(false)
  })

  it('should be covered by a sign-out everywhere even after a refresh later than the cutoff', async () => {
    const { clock, issuer, principalOf, user } = setup()
    const first = await issuer.issue(user)
    const cutoff = { kind: 'user' as const, userId: 7, beforeSec: clock.now() / 1000 + 1 }
    clock.advance(5_000)
    const refreshed = await issuer.issue(user, { jti: first.jti, authTime: first.authTime })
    const session = new ConnectionSession(await principalOf(refreshed.token), clock.now())
    expect(session.covers(cutoff)).toBe(true)
  })
})
