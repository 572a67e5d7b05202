/** The LoginAttempts contract: one suite every adapter must pass (two instances of one deployment standing in for two replicas). */
import { afterEach, describe, expect, it } from 'bun:test'
import type { LoginAttempts, ThrottleLimits } from '../../src/ports/login-attempts'

/** Two instances of one deployment (two replicas; one process may hand back the same object twice). */
export interface LoginAttemptsPair {
  a: LoginAttempts
  b: LoginAttempts
  close(): Promise<void>
}

const limits: ThrottleLimits = { maxPerAccount: 3, maxPerAddress: 5, windowMs: 60_000 }
const t0 = 1_700_000_000_000

/** Records `count` failures one second apart from `start`, alternating between the instances given. */
async function fail(on: LoginAttempts[], account: string, address: string, start: number, count: number) {
  for (let i = 0; i < count; i++) await on[i % on.length].recordFailure(account, address, start + i * 1000)
}

export function loginAttemptsContract(name: string, makePair: (limits: ThrottleLimits) => Promise<LoginAttemptsPair>) {
  describe(`LoginAttempts contract: ${name}`, () => {
    let pair: LoginAttemptsPair | null = null
    /** Opens a pair; its `check` asks both instances and requires them to agree (what one records, both see). */
    const open = async () => {
      const { a, b } = (pair = await makePair(limits))
      const check = async (account: string, address: string, now: number) => {
        const [fromA, fromB] = await Promise.all([a.check(account, address, now), b.check(account, address, now)])
        expect(fromB).toEqual(fromA)
        return fromA
      }
      return { a, b, check }
    }
    afterEach(async () => {
      await pair?.close()
      pair = null
    })

    it('should block an account after maxPerAccount failures, until the oldest of them leaves the window', async () => {
      const { a, check } = await open()
      await fail([a], 'ann@x.io', '10.0.0.1', t0, 2)
      expect(await check('ann@x.io', '10.0.0.2', t0 + 2000)).toEqual({ allowed: true })
      await a.recordFailure('ann@x.io', '10.0.0.3', t0 + 2000)
      expect(await check('ann@x.io', '10.0.0.9', t0 + 5000)).toEqual({
        allowed: false,
        retryAfterMs: 60_000 - 5000,
        scope: 'account',
      })
      expect(await check('bob@x.io', '10.0.0.9', t0 + 5000)).toEqual({ allowed: true })
    })

    it('should block an address after maxPerAddress failures across accounts', async () => {
      const { a, check } = await open()
      for (let i = 0; i < 5; i++) await a.recordFailure(`user${i}@x.io`, '10.0.1.1', t0 + i * 1000)
      expect(await check('new@x.io', '10.0.1.1', t0 + 10_000)).toEqual({
        allowed: false,
        retryAfterMs: 60_000 - 10_000,
        scope: 'address',
      })
      expect(await check('new@x.io', '10.0.1.2', t0 + 10_000)).toEqual({ allowed: true })
    })

    it('should name the account first when both are over their limits', async () => {
      const { a, check } = await open()
      await fail([a], 'ann@x.io', '10.0.2.1', t0, 5)
      expect(await check('ann@x.io', '10.0.2.1', t0 + 5000)).toMatchObject({ allowed: false, scope: 'account' })
    })

    it('should time retryAfterMs from the oldest of the last max failures', async () => {
      const { a, check } = await open()
      await fail([a], 'ann@x.io', '10.0.3.1', t0, 5) // t0 … t0+4s; the last 3 start at t0+2s
      expect(await check('ann@x.io', '10.0.3.1', t0 + 4000)).toEqual({
        allowed: false,
        retryAfterMs: 2000 + 60_000 - 4000,
        scope: 'account',
      })
    })

    it('should slide the window: failures older than windowMs stop counting', async () => {
      const { a, check } = await open()
      await fail([a], 'ann@x.io', '10.0.4.1', t0, 3) // t0, t0+1s, t0+2s
      expect(await check('ann@x.io', '10.0.4.1', t0 + 60_000 - 1)).toMatchObject({
        retryAfterMs: 1,
        scope: 'account',
      })
      expect(await check('ann@x.io', '10.0.4.1', t0 + 60_000)).toEqual({ allowed: true })
      await a.recordFailure('ann@x.io', '10.0.4.1', t0 + 60_500)
      expect(await check('ann@x.io', '10.0.4.1', t0 + 60_500)).toEqual({
        allowed: false,
        retryAfterMs: 1000 + 60_000 - 60_500,
        scope: 'account',
      })
      expect(await check('ann@x.io', '10.0.4.1', t0 + 3 * 60_000)).toEqual({ allowed: true })
    })

    it('should clear the account, and only the account, on success', async () => {
      const { a, check } = await open()
      for (let i = 0; i < 5; i++) await a.recordFailure(i < 3 ? 'ann@x.io' : `x${i}@x.io`, '10.0.5.1', t0 + i * 1000)
      expect(await check('ann@x.io', '10.0.5.2', t0 + 5000)).toMatchObject({ scope: 'account' })
      await a.recordSuccess('ann@x.io')
      expect(await check('ann@x.io', '10.0.5.2', t0 + 5000)).toEqual({ allowed: true })
      expect(await check('ann@x.io', '10.0.5.1', t0 + 5000)).toMatchObject({ scope: 'address' })
    })

    it('should share one budget between the instances: failures on one block the other', async () => {
      const { a, b, check } = await open()
      await fail([a, b], 'ann@x.io', '10.0.6.1', t0, 3)
      expect(await check('ann@x.io', '10.0.6.9', t0 + 3000)).toEqual({
        allowed: false,
        retryAfterMs: 60_000 - 3000,
        scope: 'account',
      })
      await b.recordSuccess('ann@x.io')
      expect(await check('ann@x.io', '10.0.6.9', t0 + 3000)).toEqual({ allowed: true })
    })

    it('should count concurrent failures from both instances exactly, never more or fewer', async () => {
      const { a, b, check } = await open()
      const record = (n: number, account: (i: number) => string, address: string) =>
        Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? b : a).recordFailure(account(i), address, t0 + i)))
      // One under the limit stays allowed (nothing doubled); exactly the limit blocks (nothing lost).
      await record(2, () => 'ann@x.io', '10.0.7.1')
      expect(await check('ann@x.io', '10.0.7.9', t0 + 10)).toEqual({ allowed: true })
      await record(3, () => 'cat@x.io', '10.0.7.2')
      expect(await check('cat@x.io', '10.0.7.9', t0 + 10)).toMatchObject({ allowed: false, scope: 'account' })
      await record(4, (i) => `u${i}@x.io`, '10.0.8.1')
      expect(await check('new@x.io', '10.0.8.1', t0 + 10)).toEqual({ allowed: true })
      await record(5, (i) => `v${i}@x.io`, '10.0.8.2')
      expect(await check('new@x.io', '10.0.8.2', t0 + 10)).toMatchObject({ allowed: false, scope: 'address' })
      await record(40, () => 'bob@x.io', '10.0.9.1') // the last 3 of 40 racing failures were at t0+37..39
      expect(await check('bob@x.io', '10.0.9.9', t0 + 100)).toEqual({
        allowed: false,
        retryAfterMs: 37 + 60_000 - 100,
        scope: 'account',
      })
      expect(await check('new@x.io', '10.0.9.1', t0 + 100)).toEqual({
        allowed: false,
        retryAfterMs: 35 + 60_000 - 100,
        scope: 'address',
      })
    })
  })
}
