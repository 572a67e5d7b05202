/** RevokedTokens port: signed-out session tokens, shared by every replica, so a logged-out JWT is refused before it expires. */
import type { Revocation, TokenRef } from '../core/revocation-list'

export type { Revocation, TokenRef }

/**
 * Contract:
 * - `revoke(jti, expSec)`: `isRevoked` is true for every token with that jti (one sign-in
 *   session, whatever its refreshes) until `expSec` (the latest expiry a token of that session
 *   can have); after that the entry may be forgotten, since those tokens are refused as expired
 *   anyway. Revoking twice is harmless.
 * - `revokeAllBefore(userId, atSec)` ("sign out everywhere"): every token of that user whose
 *   session signed in before `atSec` (`authTime`, else `iat`) is revoked, however recently it was
 *   refreshed; sessions signed in at or after `atSec` are not. A cutoff only moves forward (an
 *   earlier `atSec` never un-revokes) and is kept for the longest token lifetime.
 * - `isRevoked(token)` answers both questions for one verified token in one store round trip
 *   (the brief's `isRevoked(jti)` plus the user's cutoff; a REST request pays for one, not two).
 * - Every instance of one deployment sees what any instance revoked once `revoke` resolves.
 * - `learn(revocation)`: a revocation another replica made, heard on the bus; kept in this
 *   process only (the maker stored it).
 * - Never throws and never hangs on a store outage. An adapter then answers from the
 *   revocations this process made, heard or read before, and treats any other token as not
 *   revoked (fails open: an outage must not sign everyone out).
 */
export interface RevokedTokens {
  revoke(jti: string, expSec: number): Promise<void>
  revokeAllBefore(userId: number, atSec: number): Promise<void>
  isRevoked(token: TokenRef): Promise<boolean>
  learn(revocation: Revocation): void
}
