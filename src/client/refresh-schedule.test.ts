/** Tests of the token refresh schedule: when a refresh is due, one call at a time, retries before expiry, sign-out on 401, the stream's notice. */
import { describe, expect, it } from 'bun:test'
import {
  defaultRefreshOptions as o,
  initialRefreshState,
  refreshDelay,
  refreshTransition,
  retryDelay,
  type RefreshCommand,
  type RefreshEvent,
  type RefreshState,
} from './refresh-schedule'

const S = 1000
const H = 3600 * S
const T0 = 1_800_000_000_000

/** Runs events in order from `s`, returning the final state and every command issued. */
function run(events: [RefreshEvent, number][], s: RefreshState = initialRefreshState, random = () => 0.5) {
  const commands: RefreshCommand[] = []
  for (const [e, now] of events) {
    const r = refreshTransition(s, e, now, random)
    s = r.state
    commands.push(...r.commands)
  }
  return { s, commands }
}
const types = (cs: RefreshCommand[]) => cs.map((c) => c.type)
const timer = (cs: RefreshCommand[]) => (cs.filter((c) => c.type === 'set_timer').at(-1) as { ms: number })?.ms
const lost = { code: 'NETWORK_ERROR', message: 'down' }

describe('refreshDelay', () => {
  it('should refresh at 80% of the remaining lifetime, at least 30 s before expiry, and at once when later', () => {
    expect(refreshDelay(T0 + 12 * H, T0)).toBe(9.6 * H)
    expect(refreshDelay(T0 + 120 * S, T0)).toBe(90 * S) // 80% would leave only 24 s
    expect(refreshDelay(T0 + 60 * S, T0)).toBe(30 * S)
    expect(refreshDelay(T0 + 20 * S, T0)).toBe(0)
    expect(refreshDelay(T0 - S, T0)).toBe(0)
  })
})

describe('retryDelay', () => {
  it('should back off with jitter and never past half of what is left of the token', () => {
    expect(retryDelay(0, T0 + H, T0, () => 0.5)).toBe(500)
    expect(retryDelay(10, T0 + H, T0, () => 0.999)).toBeLessThanOrEqual(o.retryMaxMs)
    expect(retryDelay(10, T0 + 10 * S, T0, () => 0.999)).toBe(5 * S)
    expect(retryDelay(3, T0 - S, T0, () => 0.5)).toBe(0)
  })
})

describe('refreshTransition', () => {
  it('should schedule a refresh when the expiry is known, call once when due, and reschedule on success', () => {
    const known = run([[{ type: 'expiry_known', expiresAt: T0 + 12 * H }, T0]])
    expect(known.commands).toEqual([{ type: 'set_timer', ms: 9.6 * H }])
    const due = run([[{ type: 'due' }, T0 + 9.6 * H]], known.s)
    expect(types(due.commands)).toEqual(['clear_timer', 'refresh'])
    expect(due.s.inFlight).toBe(true)
    // While the call is under way, a second trigger or a new expiry starts nothing.
    const busy = run(
      [
        [{ type: 'due' }, T0 + 9.6 * H],
        [{ type: 'expiring', expiresAt: T0 + 12 * H }, T0 + 9.6 * H],
        [{ type: 'expiry_known', expiresAt: T0 + 12 * H }, T0 + 9.6 * H],
      ],
      due.s,
    )
    expect(busy.commands).toEqual([])
    const done = run([[{ type: 'succeeded', expiresAt: T0 + 21.6 * H }, T0 + 9.6 * H]], busy.s)
    expect(done.s).toEqual({ expiresAt: T0 + 21.6 * H, inFlight: false, attempt: 0 })
    expect(done.commands).toEqual([{ type: 'set_timer', ms: 9.6 * H }])
  })

  it('should retry a failed refresh with backoff before expiry, and stop retrying once the token has expired', () => {
    const start = run([
      [{ type: 'expiry_known', expiresAt: T0 + 60 * S }, T0],
      [{ type: 'due' }, T0 + 30 * S],
    ]).s
    const first = run([[{ type: 'failed', auth: false, reason: lost }, T0 + 30 * S]], start)
    expect(first.s.attempt).toBe(1)
    expect(timer(first.commands)).toBe(500)
    const again = run(
      [
        [{ type: 'due' }, T0 + 31 * S],
        [{ type: 'failed', auth: false, reason: lost }, T0 + 31 * S],
      ],
      first.s,
    )
    expect(timer(again.commands)).toBe(1000)
    const late = run(
      [
        [{ type: 'due' }, T0 + 61 * S],
        [{ type: 'failed', auth: false, reason: lost }, T0 + 61 * S],
      ],
      again.s,
    )
    expect(late.commands.at(-1)).toEqual({ type: 'clear_timer' })
  })

  it('should sign out on a 401 and forget the token', () => {
    const reason = { code: 'SESSION_TOO_OLD', message: 'sign in again' }
    const { s, commands } = run([
      [{ type: 'expiry_known', expiresAt: T0 + 60 * S }, T0],
      [{ type: 'due' }, T0 + 30 * S],
      [{ type: 'failed', auth: true, reason }, T0 + 30 * S],
    ])
    expect(s).toEqual(initialRefreshState)
    expect(commands.slice(-2)).toEqual([{ type: 'clear_timer' }, { type: 'sign_out', reason }])
  })

  it('should refresh at once on the stream’s notice, or resend a later token the stream missed', () => {
    const known = run([[{ type: 'expiry_known', expiresAt: T0 + 12 * H }, T0]]).s
    // A throttled timer: the notice comes first.
    expect(types(run([[{ type: 'expiring', expiresAt: T0 + 12 * H }, T0 + 12 * H - 60 * S]], known).commands)).toEqual([
      'clear_timer',
      'refresh',
    ])
    const refreshed = run([[{ type: 'succeeded', expiresAt: T0 + 20 * H }, T0 + 8 * H]], known).s
    const missed = run([[{ type: 'expiring', expiresAt: T0 + 12 * H }, T0 + 12 * H - 60 * S]], refreshed)
    expect(missed.commands).toEqual([{ type: 'resend' }])
    expect(missed.s).toEqual(refreshed)
  })

  it('should retry when the stream refuses the refreshed token, unless a refresh is under way', () => {
    const refreshed = run([[{ type: 'succeeded', expiresAt: T0 + 12 * H }, T0]]).s
    expect(timer(run([[{ type: 'stream_refused' }, T0]], refreshed).commands)).toBe(500)
    const busy = run([[{ type: 'due' }, T0]], refreshed).s
    expect(run([[{ type: 'stream_refused' }, T0]], busy).commands).toEqual([])
  })

  it('should clear everything on stop', () => {
    const { s, commands } = run([
      [{ type: 'expiry_known', expiresAt: T0 + H }, T0],
      [{ type: 'stop' }, T0],
    ])
    expect(s).toEqual(initialRefreshState)
    expect(commands.at(-1)).toEqual({ type: 'clear_timer' })
  })
})
