/** Typed application errors with stable codes; translated to HTTP in http/error-plugin.ts and to WS close codes in core/protocol.ts. */

export type ErrorDetails = Record<string, unknown>

export interface AppErrorOptions {
  details?: ErrorDetails
  cause?: unknown
  /** True when retrying the same request later may succeed (upstream outage, rate limit). */
  temporary?: boolean
  /** Seconds a client should wait before retrying (sent as Retry-After). */
  retryAfterSec?: number
}

/** Base of every error the service throws on purpose: a SCREAMING_SNAKE code, an HTTP status, a safe message. */
export class AppError extends Error {
  readonly details?: ErrorDetails
  readonly temporary: boolean
  readonly retryAfterSec?: number
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    opts: AppErrorOptions = {},
  ) {
    super(message, { cause: opts.cause })
    this.name = 'AppError'
    this.details = opts.details
    this.temporary = opts.temporary ?? false
    this.retryAfterSec = opts.retryAfterSec
  }
}

/** 400: a request parameter or body field is invalid; `code` names the field (e.g. INVALID_TIMESPAN). */
export class ValidationError extends AppError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, 400, message, { details })
    this.name = 'ValidationError'
  }
}

/** 401: missing, malformed, forged, expired or signed-out (revoked) credentials, or a session too old to refresh. */
export class AuthError extends AppError {
  constructor(code: AuthErrorCode, message: string) {
    super(code, 401, message)
    this.name = 'AuthError'
  }
}
export type AuthErrorCode =
  | 'AUTH_REQUIRED'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_SIGNATURE_INVALID'
  | 'TOKEN_ALG_NOT_ALLOWED'
  | 'TOKEN_REVOKED'
  | 'SESSION_TOO_OLD'
  | 'INVALID_CREDENTIALS'
  | 'USER_NOT_FOUND'

export class NotFoundError extends AppError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, 404, message, { details })
    this.name = 'NotFoundError'
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, 409, message, { details })
    this.name = 'ConflictError'
  }
}

/** 429: a quota or rate limit was hit; retryAfterSec tells when to try again. */
export class RateLimitedError extends AppError {
  constructor(code: string, message: string, retryAfterSec: number, details?: ErrorDetails) {
    super(code, 429, message, { details, temporary: true, retryAfterSec })
    this.name = 'RateLimitedError'
  }
}

/** 503 SERVER_BUSY: a bounded resource (password hashing) is saturated and its queue full; retry after retryAfterSec. */
export class ServerBusyError extends AppError {
  constructor(message: string, retryAfterSec = 1) {
    super('SERVER_BUSY', 503, message, { temporary: true, retryAfterSec })
    this.name = 'ServerBusyError'
  }
}

/** 503: the upstream provider cannot be reached (network, timeout, 5xx after retries, budget exhausted). */
export class UpstreamUnavailableError extends AppError {
  constructor(message: string, opts: AppErrorOptions = {}) {
    super('UPSTREAM_UNAVAILABLE', 503, message, { temporary: true, ...opts })
    this.name = 'UpstreamUnavailableError'
  }
}

/** 503: the database cannot be reached or did not answer within the deadline; nothing was acknowledged, so a retry is safe. */
export class DatabaseUnavailableError extends AppError {
  constructor(message: string, opts: AppErrorOptions = {}) {
    super('DATABASE_UNAVAILABLE', 503, message, { temporary: true, retryAfterSec: 2, ...opts })
    this.name = 'DatabaseUnavailableError'
  }
}

/** 502: the upstream answered, but with an error we cannot serve (bad key, plan, malformed body). */
export class UpstreamError extends AppError {
  constructor(code: UpstreamErrorCode, message: string, opts: AppErrorOptions = {}) {
    super(code, 502, message, opts)
    this.name = 'UpstreamError'
  }
}
export type UpstreamErrorCode =
  'UPSTREAM_AUTH_FAILED' | 'UPSTREAM_NOT_AUTHORIZED' | 'UPSTREAM_BAD_RESPONSE' | 'UPSTREAM_ERROR'

/** Thrown by loadConfig: every bad key at once, so an operator fixes them in one pass. */
export class ConfigError extends Error {
  constructor(readonly problems: { key: string; message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}
