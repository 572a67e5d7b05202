/** Pure schedule of the client's token refreshes: when to refresh before the token expires, retries with backoff, and when the session is gone. */
import { reconnectDelay, type Reason } from './connection-machine'

export interface RefreshOptions {
  /** Refresh once this fraction of the token's remaining lifetime has passed… @default 0.8 */
  lifetimeFraction: number
  /** …and at least this long before it expires. @default 30_000 */
  leadMs: number
  /** First retry's ceiling after a refresh failed for another reason than auth (network, 5xx). @default 1_000 */
  retryBaseMs: number
  /** Every retry's ceiling. @default 30_000 */
  retryMaxMs: number
}

export const defaultRefreshOptions: RefreshOptions = {
  lifetimeFraction: 0.8,
  leadMs: 30_000,
  retryBaseMs: 1_000,
  retryMaxMs: 30_000,
}

export interface RefreshState {
  /** When the token in use expires (server time, Unix ms); null until the server says (welcome, refresh). */
  expiresAt: number | null
  /** A POST /auth/refresh is under way. */
  inFlight: boolean
  /** Failed refreshes since the last success (drives the backoff). */
  attempt: number
}

export const initialRefreshState: RefreshState = { expiresAt: null, inFlight: false, attempt: 0 }

export type RefreshEvent =
  /** The server told the token's expiry (`welcome`, `refreshed`). */
  | { type: 'expiry_known'; expiresAt: number }
  /** The refresh timer fired. */
  | { type: 'due' }
  /** The stream's `token_expiring` notice: its token expires at `expiresAt` and was not refreshed. */
  | { type: 'expiring'; expiresAt: number }
  | { type: 'succeeded'; expiresAt: number }
  /** A refresh failed: `auth` (401) means the session is gone; otherwise it is retried. */
  | { type: 'failed'; auth: boolean; reason: Reason }
  /** The stream refused the refreshed token (an `error` answering its `refresh`): refresh again, with backoff. */
  | { type: 'stream_refused' }
  | { type: 'stop' }

export type RefreshCommand =
  | { type: 'set_timer'; ms: number }
  | { type: 'clear_timer' }
  /** Call POST /auth/refresh. */
  | { type: 'refresh' }
  /** Send the stream the token already refreshed (it did not take it). */
  | { type: 'resend' }
  | { type: 'sign_out'; reason: Reason }

/** How long from `now` until a token expiring at `expiresAt` should be refreshed: at `fraction` of what is left, and `leadMs` before the end. */
export function refreshDelay(expiresAt: number, now: number, o: RefreshOptions = defaultRefreshOptions): number {
  const left = expiresAt - now
  return Math.max(0, Math.floor(Math.min(left * o.lifetimeFraction, left - o.leadMs)))
}

/** Backoff before retry `attempt` (full jitter), never past half of what is left of the token. */
export function retryDelay(
  attempt: number,
  expiresAt: number,
  now: number,
  random: () => number,
  o: RefreshOptions = defaultRefreshOptions,
): number {
  const backoff = reconnectDelay(attempt, random, o.retryBaseMs, o.retryMaxMs)
  return Math.max(0, Math.min(backoff, Math.floor((expiresAt - now) / 2)))
}

type Result = { state: RefreshState; commands: RefreshCommand[] }

/** The next state and the commands the shell must run, for one event at server time `now`. */
export function refreshTransition(
  s: RefreshState,
  e: RefreshEvent,
  now: number,
  random: () => number,
  o: RefreshOptions = defaultRefreshOptions,
): Result {
  const start: Result = { state: { ...s, inFlight: true }, commands: [{ type: 'clear_timer' }, { type: 'refresh' }] }
  switch (e.type) {
    case 'expiry_known': {
      const state = { ...s, expiresAt: e.expiresAt }
      // A refresh under way schedules the next one when it answers.
      if (s.inFlight) return { state, commands: [] }
      return { state, commands: [{ type: 'set_timer', ms: refreshDelay(e.expiresAt, now, o) }] }
    }
    case 'due':
      return s.inFlight ? { state: s, commands: [] } : start
    case 'expiring':
      if (s.inFlight) return { state: s, commands: [] }
      // A later token is already held: the stream missed it (its request was dropped), so send it again.
      if (s.expiresAt !== null && e.expiresAt < s.expiresAt) return { state: s, commands: [{ type: 'resend' }] }
      return start
    case 'succeeded':
      return {
        state: { expiresAt: e.expiresAt, inFlight: false, attempt: 0 },
        commands: [{ type: 'set_timer', ms: refreshDelay(e.expiresAt, now, o) }],
      }
    case 'failed':
      if (e.auth)
        return {
          state: initialRefreshState,
          commands: [{ type: 'clear_timer' }, { type: 'sign_out', reason: e.reason }],
        }
      return retry(s, now, random, o)
    case 'stream_refused':
      return s.inFlight ? { state: s, commands: [] } : retry(s, now, random, o)
    case 'stop':
      return { state: initialRefreshState, commands: [{ type: 'clear_timer' }] }
  }
}

function retry(s: RefreshState, now: number, random: () => number, o: RefreshOptions): Result {
  const state = { ...s, inFlight: false, attempt: s.attempt + 1 }
  // Once the token has expired there is nothing left to refresh with: the next call or the stream's 4502 signs out.
  if (s.expiresAt === null || s.expiresAt <= now) return { state, commands: [{ type: 'clear_timer' }] }
  return { state, commands: [{ type: 'set_timer', ms: retryDelay(s.attempt, s.expiresAt, now, random, o) }] }
}
