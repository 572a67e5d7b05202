/** TokenIssuer port: signs a session token for a user, new at sign-in or continuing a session on refresh; the JWT adapter is adapters/auth/token-issuer.ts. */

export interface IssuedToken {
  token: string
  /** The session's id: new at sign-in, kept by every refresh; what a sign-out revokes. */
  jti: string
  /** Unix seconds with milliseconds (RFC 7519 allows a fractional NumericDate): "sign out everywhere" cuts at this precision. */
  iat: number
  /** When the session signed in (the `auth_time` claim), Unix seconds with milliseconds; kept by every refresh. */
  authTime: number
  /** Unix seconds. */
  exp: number
}

/** The session a refreshed token continues. */
export interface SessionRef {
  jti: string
  authTime: number
}

export interface TokenIssuer {
  /** A token for a new sign-in, or with `session` a fresh token of that session (same jti and auth_time, new iat and exp). */
  issue(user: { id: number; email: string }, session?: SessionRef): Promise<IssuedToken>
}
