/** The RevokedTokens contract: one suite every adapter must pass (two instances of one deployment standing in for two replicas). */
import { afterEach, describe, expect, it } from 'bun:test'
import type { RevokedTokens, TokenRef } from '../../src/ports/revoked-tokens'

/** Two instances of one deployment (two replicas; one process may hand back the same object twice). */
export interface RevokedTokensPair {
  a: RevokedTokens
  b: RevokedTokens
  close(): Promise<void>
}

const tokenTtlSec = 3600
let nextUserId = 1 + Math.floor(Math.random() * 1_000_000_000)

/** A token issued `ageSec` ago (to the millisecond) that expires in ten minutes. */
function tokenOf(userId: number, ageSec = 60): TokenRef {
  const nowSec = Date.now() / 1000
  return { jti: crypto.randomUUID(), userId, iat: nowSec - ageSec, exp: Math.floor(nowSec) + 600 }
}

export function revokedTokensContract(name: string, makePair: (tokenTtlSec: number) => Promise<RevokedTokensPair>) {
  describe(`RevokedTokens contract: ${name}`, () => {
    let pair: RevokedTokensPair | null = null
    /** Opens a pair; its `revoked` asks both instances and requires them to agree (what one revokes, both refuse). */
    const open = async () => {
      const { a, b } = (pair = await makePair(tokenTtlSec))
      const revoked = async (token: TokenRef) => {
        const [fromA, fromB] = await Promise.all([a.isRevoked(token), b.isRevoked(token)])
        expect(fromB).toBe(fromA)
        return fromA
      }
      return { a, b, revoked, userId: nextUserId++ }
    }
    afterEach(async () => {
      await pair?.close()
      pair = null
    })

    it('should refuse no token before anything is revoked', async () => {
      const { revoked, userId } = await open()
      expect(await revoked(tokenOf(userId))).toBe(false)
    })

    it('should refuse a revoked token on both instances, and no other token of the user', async () => {
      const { a, revoked, userId } = await open()
      const [signedOut, other] = [tokenOf(userId), tokenOf(userId)]
      await a.revoke(signedOut.jti, signedOut.exp)
      expect(await revoked(signedOut)).toBe(true)
      expect(await revoked(other)).toBe(false)
      await a.revoke(signedOut.jti, signedOut.exp) // twice: harmless
      expect(await revoked(signedOut)).toBe(true)
    })

    it('should refuse every token of the user issued before the cutoff, to the millisecond, and nothing else', async () => {
      const { b, revoked, userId } = await open()
      const at = Date.now() / 1000
      const before = { ...tokenOf(userId), iat: at - 0.001 }
      const atCutoff = { ...tokenOf(userId), iat: at }
      const after = { ...tokenOf(userId), iat: at + 0.001 }
      await b.revokeAllBefore(userId, at)
      expect(await revoked(tokenOf(userId, 3000))).toBe(true)
      expect(await revoked(before)).toBe(true)
      expect(await revoked(atCutoff)).toBe(false)
      expect(await revoked(after)).toBe(false)
      expect(await revoked(tokenOf(userId + 1_000_000_000))).toBe(false)
    })

    it('should only move a cutoff forward', async () => {
      const { a, b, revoked, userId } = await open()
      const at = Date.now() / 1000
      const between = { ...tokenOf(userId), iat: at - 5 }
      await a.revokeAllBefore(userId, at)
      await b.revokeAllBefore(userId, at - 10)
      expect(await revoked(between)).toBe(true)
      await b.revokeAllBefore(userId, at + 10)
      expect(await revoked({ ...tokenOf(userId), iat: at + 5 })).toBe(true)
    })

    it('should keep every revocation when both instances revoke at once', async () => {
      const { a, b, revoked, userId } = await open()
      const tokens = Array.from({ length: 20 }, () => tokenOf(userId))
      await Promise.all(tokens.map((t, i) => (i % 2 ? b : a).revoke(t.jti, t.exp)))
      expect(await Promise.all(tokens.map(revoked))).toEqual(tokens.map(() => true))
    })

    it('should refuse a revocation it learned (heard from another replica) on the instance that learned it', async () => {
      const { a, userId } = await open()
      const [one, older] = [tokenOf(userId), tokenOf(userId + 1, 120)]
      a.learn({ kind: 'token', jti: one.jti, expSec: one.exp })
      a.learn({ kind: 'user', userId: userId + 1, beforeSec: Date.now() / 1000 - 60 })
      expect(await a.isRevoked(one)).toBe(true)
      expect(await a.isRevoked(older)).toBe(true)
      expect(await a.isRevoked(tokenOf(userId + 1, 1))).toBe(false)
    })
  })
}
