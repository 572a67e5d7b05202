/** ConnectionCounter port: per-user live WebSocket connections, counted across replicas, for a per-user cap. */

/**
 * Contract:
 * - `tryAcquire` admits `connId` for `userId` only while the user has fewer than `limit`
 *   live connections; check and insert are one atomic step, so two replicas racing for the
 *   last slot never both win. Acquiring a connId this counter already holds returns true.
 * - Entries of a replica that dies expire on their own (after the adapter's ttl); a live
 *   replica keeps its entries alive with `refresh()`, which adapters also run on a timer.
 * - Never throws and never hangs on a store outage: it then admits by this replica's own
 *   count (degraded), so an outage cannot lock users out.
 * Callers must `release` every acquired connection when it closes.
 */
export interface ConnectionCounter {
  tryAcquire(userId: string, connId: string, limit: number): Promise<boolean>
  release(userId: string, connId: string): Promise<void>
  /** Extends the life of every connection this replica holds. */
  refresh(): Promise<void>
  /** Connections this replica holds for `userId`. */
  localCount(userId: string): number
  /** Stops timers; entries are left to expire (or released by their connections first). */
  close(): Promise<void>
}
