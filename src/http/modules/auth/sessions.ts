/** Sign-out: revokes the presented session token, or every session of its user, and tells that user's streams on every replica. */
import type { Principal } from '../../../adapters/auth/token-verifier'
import type { Clock } from '../../../ports/clock'
import type { Revocation, RevokedTokens } from '../../../ports/revoked-tokens'

/** Where sign-outs go besides the store: the stream closes the user's sockets the revocation covers (bus topic `user:<id>`). */
export interface SessionEvents {
  revoked(userId: number, revocation: Revocation): void
}

export class SessionService {
  constructor(
    private readonly revoked: RevokedTokens,
    private readonly events: SessionEvents,
    private readonly clock: Clock,
  ) {}

  /**
   * Revokes the token `principal` came from; with `everywhere`, also every token of the user
   * issued before now (to the millisecond: a sign-in right after is not affected). The token
   * itself is always revoked by id too, so it is refused even if the replica that issued it has a
   * clock ahead of this one's.
   */
  async signOut(principal: Principal, everywhere: boolean): Promise<void> {
    const revocations: Revocation[] = [{ kind: 'token', jti: principal.jti, expSec: principal.exp }]
    if (everywhere) revocations.push({ kind: 'user', userId: principal.userId, beforeSec: this.clock.now() / 1000 })
    await Promise.all(
      revocations.map((r) =>
        r.kind === 'token' ? this.revoked.revoke(r.jti, r.expSec) : this.revoked.revokeAllBefore(r.userId, r.beforeSec),
      ),
    )
    for (const r of revocations) this.events.revoked(principal.userId, r)
  }
}
