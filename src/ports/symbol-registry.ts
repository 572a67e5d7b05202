/** SymbolRegistry port: the cluster-wide set of symbols some replica's clients want, read by the upstream holder. */

/**
 * Each replica declares the symbols its local clients subscribe to; the replica holding the
 * upstream connection subscribes upstream to the union. Contract:
 * - `want` / `unwant` have set semantics (not counted) and return at once; the write to the
 *   shared store happens in the background and is retried until it succeeds;
 * - a replica's symbols leave the union when it unwants them, closes, or dies (its entry
 *   expires when it stops refreshing it);
 * - `onChange` listeners run soon after any replica's set changes, and periodically, so a
 *   holder that re-reads `wantedUnion()` on every call converges even when a replica dies
 *   silently. Listeners carry no data: they mean "re-read now".
 */
export interface SymbolRegistry {
  /** Marks `symbol` as wanted by this replica. */
  want(symbol: string): void
  /** Marks `symbol` as no longer wanted by this replica. */
  unwant(symbol: string): void
  /** The sorted union of every live replica's wanted symbols; rejects when the store is unreachable (keep what you have). */
  wantedUnion(): Promise<string[]>
  /** Returns a function that removes the listener. */
  onChange(listener: () => void): () => void
  /** Resolves once this replica's changes so far are written (or the registry is closed). */
  flush(): Promise<void>
  /** Withdraws this replica's symbols and stops timers; does not close shared connections. */
  close(): Promise<void>
}
