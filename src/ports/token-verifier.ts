/** TokenVerifier port: who a session token names (the Principal), or an AuthError saying why it is refused. */
import type { TokenRef } from '../core/revocation-list'

/** The verified caller: its user, the session's id and sign-in time, and the token's issue time and expiry (what a sign-out revokes). */
export interface Principal extends TokenRef {
  email: string
  authTime: number
}

/**
 * Contract: resolves with the token's Principal, or rejects with an AuthError whose code names the
 * failure (AUTH_REQUIRED for no token, TOKEN_INVALID, TOKEN_ALG_NOT_ALLOWED, TOKEN_SIGNATURE_INVALID,
 * TOKEN_EXPIRED, TOKEN_REVOKED); never anything else.
 */
export interface TokenVerifier {
  verify(token: string | null | undefined): Promise<Principal>
}
