/** RevocationList: signed-out session tokens (one token, or all of a user's issued before a moment) in memory, time passed in. */

/**
 * One sign-out. `token`: every token with that jti (one sign-in session, refreshed or not) stays
 * refused until `expSec`. `user`: every session of the user signed in before `beforeSec` is
 * refused, whenever its tokens were refreshed; sessions signed in at or after it are not.
 */
export type Revocation =
  { kind: 'token'; jti: string; expSec: number } | { kind: 'user'; userId: number; beforeSec: number }

/** What a revocation check reads from a verified token. */
export interface TokenRef {
  /** The session's id (the `jti` claim): new at sign-in, kept by refreshes. */
  jti: string
  userId: number
  /** Issue time, Unix seconds; carries milliseconds for tokens we issue, 0 for a token without `iat`. */
  iat: number
  /** When the session signed in (`auth_time`), Unix seconds; absent: `iat` (a token that was never refreshed). */
  authTime?: number
  /** Expiry, Unix seconds. */
  exp: number
}

/** When the token's session signed in: what a user's cutoff compares (a refresh after the cutoff must not escape it). */
const signedInAt = (token: TokenRef): number => token.authTime ?? token.iat

/** True when `revocation` covers `token`. */
export function revokes(revocation: Revocation, token: TokenRef): boolean {
  return revocation.kind === 'token'
    ? revocation.jti === token.jti
    : revocation.userId === token.userId && signedInAt(token) < revocation.beforeSec
}

/** How often (at most) expired entries are swept out, in seconds. */
const pruneEverySec = 60

/**
 * The revocations one process knows. An entry is dropped once no token it covers can still be
 * valid: a session's at its `expSec`, a user's `tokenTtlSec` after its cutoff (every token issued
 * before the cutoff has expired by then, and none of those sessions can be refreshed after it).
 * A user's cutoff and a session's `expSec` only move forward.
 */
export class RevocationList {
  /** jti → until when that session's tokens are refused (Unix seconds). */
  private readonly tokens = new Map<string, number>()
  /** userId → cutoff (Unix seconds): tokens issued before it are revoked. */
  private readonly users = new Map<number, number>()
  private nextPruneAt = 0

  /** @param tokenTtlSec the longest lifetime of a token (JWT_TTL_SECONDS) */
  constructor(private readonly tokenTtlSec: number) {}

  add(revocation: Revocation, nowSec: number): void {
    this.prune(nowSec)
    if (revocation.kind === 'token') {
      const until = Math.max(revocation.expSec, this.tokens.get(revocation.jti) ?? -Infinity)
      if (until > nowSec) this.tokens.set(revocation.jti, until)
      return
    }
    const { userId, beforeSec } = revocation
    if (beforeSec + this.tokenTtlSec > nowSec && beforeSec > (this.users.get(userId) ?? -Infinity))
      this.users.set(userId, beforeSec)
  }

  isRevoked(token: TokenRef): boolean {
    if (this.tokens.has(token.jti)) return true
    const cutoff = this.users.get(token.userId)
    return cutoff !== undefined && signedInAt(token) < cutoff
  }

  /** Entries held (tokens + users), for tests and metrics. */
  get size(): number {
    return this.tokens.size + this.users.size
  }

  private prune(nowSec: number): void {
    if (nowSec < this.nextPruneAt) return
    this.nextPruneAt = nowSec + pruneEverySec
    for (const [jti, exp] of this.tokens) if (exp <= nowSec) this.tokens.delete(jti)
    for (const [userId, cutoff] of this.users) if (cutoff + this.tokenTtlSec <= nowSec) this.users.delete(userId)
  }
}
