/** Sign-in sessions: refreshes within the absolute session limit, and sign-out that revokes a session (or all of a user's) and tells its streams on every replica. */
import type { Principal } from '../ports/token-verifier'
import { AuthError } from '../errors'
import type { Clock } from '../ports/clock'
import type { Revocation, RevokedTokens } from '../ports/revoked-tokens'

/** Where sign-outs go besides the store: the stream closes the user's sockets the revocation covers (bus topic `user:<id>`). */
export interface SessionEvents {
  revoked(userId: number, revocation: Revocation): void
}

export interface SessionPolicy {
  /** JWT_TTL_SECONDS: the lifetime of every token, the first and each refreshed one. */
  tokenTtlSec: number
  /** SESSION_MAX_SECONDS: how long after sign-in a session may still be refreshed. */
  maxAgeSec: number
}

export class SessionService {
  constructor(
    private readonly revoked: RevokedTokens,
    private readonly events: SessionEvents,
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
  ) {}

  /**
   * Throws 401 SESSION_TOO_OLD when the session `principal` belongs to signed in more than
   * `maxAgeSec` ago: it gets no new token, and its last one lives out its TTL.
   */
  assertRefreshable(principal: Principal): void {
    if (this.clock.now() / 1000 - principal.authTime > this.policy.maxAgeSec)
      throw new AuthError('SESSION_TOO_OLD', 'this session is too old to refresh: sign in again')
  }

  /**
   * Revokes the session `principal` belongs to; with `everywhere`, also every session of the user
   * signed in before now (to the millisecond: a sign-in right after is not affected). The session
   * is always revoked by id too, so it is refused even if the replica that issued it has a clock
   * ahead of this one's. Tokens of one session share its jti but not their exp (each refresh
   * issues a later one), so the jti stays revoked until now + the token TTL, the latest exp any
   * token of the session can have, not just until the presented token's exp: a token refreshed
   * after the presented one must be refused too.
   */
  async signOut(principal: Principal, everywhere: boolean): Promise<void> {
    const untilSec = Math.max(principal.exp, Math.ceil(this.clock.now() / 1000) + this.policy.tokenTtlSec)
    const revocations: Revocation[] = [{ kind: 'token', jti: principal.jti, expSec: untilSec }]
    if (everywhere) revocations.push({ kind: 'user', userId: principal.userId, beforeSec: this.clock.now() / 1000 })
    await Promise.all(
      revocations.map((r) =>
        r.kind === 'token' ? this.revoked.revoke(r.jti, r.expSec) : this.revoked.revokeAllBefore(r.userId, r.beforeSec),
      ),
    )
    for (const r of revocations) this.events.revoked(principal.userId, r)
  }
}
