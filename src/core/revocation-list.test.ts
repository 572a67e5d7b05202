import { describe, expect, it } from 'bun:test'
import { RevocationList, revokes, type TokenRef } from './revocation-list'

const now = 1_700_000_000
const token = (jti: string, userId = 1, iat = now - 10, exp = now + 600): TokenRef => ({ jti, userId, iat, exp })

describe('revokes', () => {
  it('should match a token revocation by jti only', () => {
    const r = { kind: 'token' as const, jti: 'a', expSec: now + 600 }
    expect(revokes(r, token('a'))).toBe(true)
    expect(revokes(r, token('b'))).toBe(false)
  })

  it('should match a user revocation for tokens of that user issued strictly before the cutoff', () => {
    const r = { kind: 'user' as const, userId: 1, beforeSec: now + 0.5 }
    expect(revokes(r, token('a', 1, now + 0.499))).toBe(true)
    expect(revokes(r, token('a', 1, now + 0.5))).toBe(false)
    expect(revokes(r, token('a', 2, now))).toBe(false)
  })

  it('should judge a user revocation by the session’s sign-in time when the token carries one, not by its refresh', () => {
    const r = { kind: 'user' as const, userId: 1, beforeSec: now }
    const refreshedAfter = { ...token('a', 1, now + 30), authTime: now - 600 }
    expect(revokes(r, refreshedAfter)).toBe(true)
    expect(revokes(r, { ...token('b', 1, now + 30), authTime: now })).toBe(false)
    const list = new RevocationList(3600)
    list.add(r, now)
    expect(list.isRevoked(refreshedAfter)).toBe(true)
  })
})

describe('RevocationList', () => {
  it('should keep a session revoked until the latest expiry it was revoked with', () => {
    const list = new RevocationList(3600)
    list.add({ kind: 'token', jti: 'a', expSec: now + 1000 }, now)
    list.add({ kind: 'token', jti: 'a', expSec: now + 100 }, now)
    list.add({ kind: 'token', jti: 'z', expSec: now + 2000 }, now + 500) // sweeps
    expect(list.isRevoked(token('a'))).toBe(true)
  })

  it('should refuse a revoked jti until the token expires, then forget it', () => {
    const list = new RevocationList(3600)
    list.add({ kind: 'token', jti: 'a', expSec: now + 100 }, now)
    expect(list.isRevoked(token('a'))).toBe(true)
    expect(list.isRevoked(token('b'))).toBe(false)
    list.add({ kind: 'token', jti: 'c', expSec: now + 1000 }, now + 100) // sweeps: a expired
    expect(list.size).toBe(1)
    expect(list.isRevoked(token('c'))).toBe(true)
  })

  it('should not keep a revocation of an already expired token', () => {
    const list = new RevocationList(3600)
    list.add({ kind: 'token', jti: 'a', expSec: now }, now)
    expect(list.size).toBe(0)
  })

  it('should refuse a user’s older tokens, keep the cutoff for one token lifetime, and only move it forward', () => {
    const list = new RevocationList(3600)
    list.add({ kind: 'user', userId: 1, beforeSec: now }, now)
    list.add({ kind: 'user', userId: 1, beforeSec: now - 50 }, now)
    expect(list.isRevoked(token('a', 1, now - 10))).toBe(true)
    expect(list.isRevoked(token('a', 1, now))).toBe(false)
    expect(list.isRevoked(token('a', 2, now - 10))).toBe(false)
    list.add({ kind: 'token', jti: 'x', expSec: now + 9999 }, now + 3599) // a sweep; the cutoff still counts
    expect(list.size).toBe(2)
    list.add({ kind: 'token', jti: 'y', expSec: now + 9999 }, now + 3660) // the next sweep (at most once a minute)
    expect(list.size).toBe(2) // x and y: the cutoff left, every token it covered has expired
    expect(list.isRevoked(token('a', 1, now - 10))).toBe(false)
  })
})
