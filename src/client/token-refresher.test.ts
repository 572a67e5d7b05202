/** Tests of the refresh shell on a simulated clock: it refreshes before expiry, hands on each token, retries failures, signs out on 401, and drops answers after stop. */
import { beforeEach, describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import type { Reason } from './connection-machine'
import { ApiError } from './rest-api'
import { TokenRefresher } from './token-refresher'

const S = 1000
const T0 = Date.UTC(2026, 0, 5, 15, 0)
const TTL = 300 * S
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
}

describe('TokenRefresher', () => {
  let clock: SimulatedClock
  /** What the fake server answers next: a token, or an error to throw. */
  let answer: () => Promise<{ token: string; expires_at: string }>
  let calls: number[]
  let issued: string[]
  let signedOut: Reason[]
  let refresher: TokenRefresher

  beforeEach(() => {
    clock = new SimulatedClock(T0)
    calls = []
    issued = []
    signedOut = []
    let n = 0
    answer = async () => ({ token: `t${++n}`, expires_at: new Date(clock.now() + TTL).toISOString() })
    refresher = new TokenRefresher(
      {
        clock,
        random: () => 0.5,
        serverNow: () => clock.now(),
        refresh: () => (calls.push(clock.now()), answer()),
      },
      { issued: (t) => issued.push(t), signedOut: (r) => signedOut.push(r) },
    )
  })

  it('should refresh at 80% of each token’s life and hand on every new token', async () => {
    refresher.expiryKnown(T0 + TTL)
    clock.advance(240 * S - 1)
    expect(calls).toEqual([])
    clock.advance(1)
    await flush()
    expect(calls).toEqual([T0 + 240 * S])
    expect(issued).toEqual(['t1'])
    expect(refresher.state.expiresAt).toBe(T0 + 540 * S)
    clock.advance(240 * S)
    await flush()
    expect(calls).toEqual([T0 + 240 * S, T0 + 480 * S])
    expect(issued).toEqual(['t1', 't2'])
  })

  it('should retry a failed call with backoff and succeed before the token expires', async () => {
    let failures = 2
    const ok = answer
    answer = async () => {
      if (failures-- > 0) throw new ApiError('NETWORK_ERROR', 'down', 0)
      return ok()
    }
    refresher.expiryKnown(T0 + 60 * S)
    clock.advance(30 * S)
    await flush()
    for (let i = 0; i < 4; i++) {
      clock.advance(500)
      await flush()
    }
    expect(calls.length).toBe(3)
    expect(issued).toEqual(['t1'])
    expect(refresher.state.attempt).toBe(0)
  })

  it('should report a 401 once and stop refreshing', async () => {
    answer = async () => {
      throw new ApiError('SESSION_TOO_OLD', 'sign in again', 401)
    }
    refresher.expiryKnown(T0 + 60 * S)
    clock.advance(30 * S)
    await flush()
    expect(signedOut).toEqual([{ code: 'SESSION_TOO_OLD', message: 'sign in again' }])
    clock.advance(TTL)
    await flush()
    expect(calls.length).toBe(1)
  })

  it('should drop the answer of a call made before stop', async () => {
    refresher.expiryKnown(T0 + 60 * S)
    clock.advance(30 * S)
    refresher.stop()
    await flush()
    expect(calls.length).toBe(1)
    expect(issued).toEqual([])
    expect(refresher.state.expiresAt).toBeNull()
  })

  it('should resend the held token when the stream says its older token is expiring', async () => {
    refresher.expiryKnown(T0 + 60 * S)
    clock.advance(30 * S)
    await flush()
    refresher.expiring(T0 + 60 * S)
    expect(issued).toEqual(['t1', 't1'])
    expect(calls.length).toBe(1)
  })
})
