/** Thin shell around the refresh schedule: runs its timer and POST /auth/refresh, hands each new token on, and reports a lost session. */
import type { Clock, TimerHandle } from '../core/clock'
import type { Reason } from './connection-machine'
import {
  defaultRefreshOptions,
  initialRefreshState,
  refreshTransition,
  type RefreshCommand,
  type RefreshEvent,
  type RefreshOptions,
  type RefreshState,
} from './refresh-schedule'
import { ApiError } from './rest-api'

export interface TokenRefresherDeps {
  clock: Clock
  random: () => number
  /** The server's time now (token expiries are server times). */
  serverNow: () => number
  /** POST /auth/refresh. */
  refresh: () => Promise<{ token: string; expires_at: string }>
}

export interface TokenRefresherEvents {
  /** A new token: keep it (REST, the next handshake) and send it on the open stream. Also called to resend it. */
  issued(token: string): void
  /** The session is gone (401 on refresh): sign out as on 4502. */
  signedOut(reason: Reason): void
}

export class TokenRefresher {
  state: RefreshState = initialRefreshState
  /** Successful refreshes so far (for diagnostics and tests). */
  refreshes = 0
  private timer: TimerHandle | null = null
  /** The last token refreshed, to resend when the stream missed it. */
  private latest: string | null = null
  /** Bumped by stop(), so the answer of a call made before it is dropped. */
  private generation = 0
  private readonly options: RefreshOptions

  constructor(
    private deps: TokenRefresherDeps,
    private events: TokenRefresherEvents,
    options: Partial<RefreshOptions> = {},
  ) {
    this.options = { ...defaultRefreshOptions, ...options }
  }

  /** The server told when the token in use expires (`welcome`, `refreshed`; Unix ms). */
  expiryKnown(expiresAt: number): void {
    if (Number.isFinite(expiresAt)) this.dispatch({ type: 'expiry_known', expiresAt })
  }
  /** The stream's `token_expiring` notice. */
  expiring(expiresAt: number): void {
    if (Number.isFinite(expiresAt)) this.dispatch({ type: 'expiring', expiresAt })
  }
  /** The stream answered a `refresh` request with an error. */
  streamRefused(): void {
    this.dispatch({ type: 'stream_refused' })
  }
  stop(): void {
    this.generation++
    this.latest = null
    this.dispatch({ type: 'stop' })
  }

  private dispatch(e: RefreshEvent): void {
    const { state, commands } = refreshTransition(this.state, e, this.deps.serverNow(), this.deps.random, this.options)
    this.state = state
    for (const c of commands) this.run(c)
  }

  private run(c: RefreshCommand): void {
    switch (c.type) {
      case 'clear_timer':
        if (this.timer) this.deps.clock.clearTimeout(this.timer)
        this.timer = null
        return
      case 'set_timer':
        if (this.timer) this.deps.clock.clearTimeout(this.timer)
        this.timer = this.deps.clock.setTimeout(() => {
          this.timer = null
          this.dispatch({ type: 'due' })
        }, c.ms)
        return
      case 'refresh':
        return void this.call()
      case 'resend':
        if (this.latest) this.events.issued(this.latest)
        return
      case 'sign_out':
        return this.events.signedOut(c.reason)
    }
  }

  private async call(): Promise<void> {
    const generation = this.generation
    try {
      const answer = await this.deps.refresh()
      if (generation !== this.generation) return
      const expiresAt = Date.parse(answer.expires_at)
      if (!Number.isFinite(expiresAt)) throw new ApiError('BAD_RESPONSE', 'the refresh answer has no expires_at', 200)
      this.refreshes++
      this.latest = answer.token
      this.dispatch({ type: 'succeeded', expiresAt })
      this.events.issued(answer.token)
    } catch (e) {
      if (generation !== this.generation) return
      const err = e instanceof ApiError ? e : new ApiError('CLIENT_ERROR', String(e), 0)
      this.dispatch({ type: 'failed', auth: err.isAuth, reason: { code: err.code, message: err.message } })
    }
  }
}
