/** RevokedTokens in one process: the revocation list in this process's memory is the whole truth. */
import { RevocationList, type Revocation, type TokenRef } from '../../core/revocation-list'
import type { Clock } from '../../ports/clock'
import type { RevokedTokens } from '../../ports/revoked-tokens'
import { createSystemClock } from '../clock/system-clock'

export interface MemoryRevokedTokensOptions {
  /** The longest lifetime of a token (JWT_TTL_SECONDS): how long a sign-out-everywhere is kept. */
  tokenTtlSec: number
  /** @default createSystemClock() */
  clock?: Clock
}

/** Single process: the revocation list in this process's memory is the whole truth. */
export class MemoryRevokedTokens implements RevokedTokens {
  private readonly list: RevocationList
  private readonly clock: Clock

  constructor(options: MemoryRevokedTokensOptions) {
    this.list = new RevocationList(options.tokenTtlSec)
    this.clock = options.clock ?? createSystemClock()
  }

  async revoke(jti: string, expSec: number): Promise<void> {
    this.learn({ kind: 'token', jti, expSec })
  }

  async revokeAllBefore(userId: number, atSec: number): Promise<void> {
    this.learn({ kind: 'user', userId, beforeSec: atSec })
  }

  async isRevoked(token: TokenRef): Promise<boolean> {
    return this.list.isRevoked(token)
  }

  learn(revocation: Revocation): void {
    this.list.add(revocation, this.clock.now() / 1000)
  }
}
