/** ConnectionSession: the token a stream connection runs on — its expiry and expiry notice, in-band refresh, and which sign-outs cover it. */
import type { Principal, TokenVerifier } from '../ports/token-verifier'
import { tokenExpiringNoticeMs, type ProtocolError, type RefreshErrorCode } from '../contract/protocol'
import { revokes, type Revocation, type TokenRef } from '../core/revocation-list'
import { AuthError } from '../errors'

export type RefreshOutcome = { ok: true; principal: TokenRef } | { ok: false; error: ProtocolError }

/** What is due for the session at a moment: nothing, the `token_expiring` notice, or the close (4502). */
export type SessionDue = 'none' | 'notice' | 'expired'

/**
 * The connection's current token. A refresh replaces it only with a verified, unrevoked token of
 * the same user; anything else leaves it exactly as it was. The owner (the connection actor)
 * calls one method at a time, as its mailbox does.
 *
 * The session is the token's reference itself (what a sign-out is checked against), copied from
 * the verified Principal: one object per connection instead of two, and no email kept for the
 * connection's life.
 */
export class ConnectionSession implements TokenRef {
  jti: string
  readonly userId: number
  iat: number
  authTime: number | undefined
  exp: number
  private noticeAt: number
  private noticeSent = false
  /** Sign-outs heard while a refresh token is being verified; null when no refresh is under way. */
  private heardDuringRefresh: Revocation[] | null = null

  /** @param now when the connection took the token (Unix ms) */
  constructor(principal: Principal, now: number) {
    this.jti = principal.jti
    this.userId = principal.userId
    this.iat = principal.iat
    this.authTime = principal.authTime
    this.exp = principal.exp
    this.noticeAt = noticeTime(this.expiresAt, now)
  }

  /** The token the connection runs on now. */
  get principal(): TokenRef {
    return this
  }

  /** When the current token expires, Unix ms. */
  get expiresAt(): number {
    return this.exp * 1000
  }

  /** The next moment the session needs a sweep: the notice (once per token), then the expiry. */
  deadline(): number {
    return this.noticeSent ? this.expiresAt : this.noticeAt
  }

  /** What is due at `now`; the notice is reported once per token. */
  due(now: number): SessionDue {
    if (now >= this.expiresAt) return 'expired'
    if (this.noticeSent || now < this.noticeAt) return 'none'
    this.noticeSent = true
    return 'notice'
  }

  /** True when `revocation` covers the current token. Kept while a refresh is verified, to be checked against the new token too. */
  covers(revocation: Revocation): boolean {
    this.heardDuringRefresh?.push(revocation)
    return revokes(revocation, this)
  }

  /**
   * Verifies `token` (signature, expiry, revocation: as the handshake does) and adopts it when it
   * belongs to the same user. A sign-out heard during the verification that covers the new token
   * refuses it, so a revocation racing the refresh is never lost.
   */
  async refresh(token: string, verifier: Pick<TokenVerifier, 'verify'>, now: () => number): Promise<RefreshOutcome> {
    this.heardDuringRefresh = []
    let next: Principal
    try {
      next = await verifier.verify(token)
    } catch (e) {
      this.heardDuringRefresh = null
      if (e instanceof AuthError) return refusal(e.code as RefreshErrorCode, e.message)
      throw e
    }
    const heard = this.heardDuringRefresh
    this.heardDuringRefresh = null
    if (next.userId !== this.userId)
      return refusal('TOKEN_USER_MISMATCH', 'the token belongs to another user; the connection keeps its token')
    if (heard.some((r) => revokes(r, next))) return refusal('TOKEN_REVOKED', 'this session was signed out')
    this.adopt(next)
    this.noticeAt = noticeTime(this.expiresAt, now())
    this.noticeSent = false
    return { ok: true, principal: this }
  }

  private adopt(next: Principal): void {
    this.jti = next.jti
    this.iat = next.iat
    this.authTime = next.authTime
    this.exp = next.exp
  }
}

/**
 * When a token taken at `now` is due its notice: tokenExpiringNoticeMs before it expires, or
 * halfway through what is left of it when that is shorter (never at once, so a client that
 * refreshes on the notice is not asked again the moment it has).
 */
function noticeTime(expiresAt: number, now: number): number {
  return expiresAt - Math.min(tokenExpiringNoticeMs, Math.max(0, (expiresAt - now) / 2))
}

function refusal(code: RefreshErrorCode, message: string): RefreshOutcome {
  return { ok: false, error: { code, message } }
}
