/** In-process ConnectionCounter: the single-replica default, where local counts are the whole truth. */
import type { ConnectionCounter } from '../../ports/connection-counter'

export class MemoryConnectionCounter implements ConnectionCounter {
  private readonly byUser = new Map<string, Set<string>>()

  async tryAcquire(userId: string, connId: string, limit: number): Promise<boolean> {
    let conns = this.byUser.get(userId)
    if (conns?.has(connId)) return true
    if ((conns?.size ?? 0) >= limit) return false
    if (conns === undefined) this.byUser.set(userId, (conns = new Set()))
    conns.add(connId)
    return true
  }

  async release(userId: string, connId: string): Promise<void> {
    const conns = this.byUser.get(userId)
    if (conns?.delete(connId) && conns.size === 0) this.byUser.delete(userId)
  }

  async refresh(): Promise<void> {}

  localCount(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0
  }

  async close(): Promise<void> {}
}
