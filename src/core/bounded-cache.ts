/** A cache bounded by entries (and optionally by weight, e.g. bytes) whose entries expire; the least recently used go first; time is injected. */

export interface BoundedCacheOptions<V> {
  /** Most entries kept; beyond it the least recently used are forgotten. */
  maxEntries: number
  /** Life of an entry after it is set, unless set() gives another; Infinity only for values that never change. */
  ttlMs: number
  /** The current time in ms (a Clock's now). */
  now: () => number
  /** Most total weight kept (with `weigh`); a value heavier than this alone is not kept. @default Infinity */
  maxWeight?: number
  /** Weight of a value, e.g. its length in bytes. @default () => 0 */
  weigh?: (value: V) => number
}

interface Entry<V> {
  value: V
  expiresAt: number
  weight: number
}

/**
 * A Map in recency order (least recently used first). An expired entry is never returned; it is
 * dropped when read, when it reaches the old end while others are set, or by prune().
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>()
  private readonly maxWeight: number
  private totalWeight = 0

  constructor(private readonly opts: BoundedCacheOptions<V>) {
    if (!Number.isInteger(opts.maxEntries) || opts.maxEntries < 0)
      throw new RangeError(`BoundedCache: maxEntries must be an integer >= 0, got ${opts.maxEntries}`)
    if (!(opts.ttlMs >= 0)) throw new RangeError(`BoundedCache: ttlMs must be >= 0, got ${opts.ttlMs}`)
    this.maxWeight = opts.maxWeight ?? Infinity
  }

  get size(): number {
    return this.entries.size
  }

  /** Total weight of the entries kept. */
  get weight(): number {
    return this.totalWeight
  }

  /** The value when present and not expired (and it becomes the most recently used), else undefined. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= this.opts.now()) {
      this.remove(key, entry)
      return undefined
    }
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.value
  }

  has(key: K): boolean {
    const entry = this.entries.get(key)
    return entry !== undefined && entry.expiresAt > this.opts.now()
  }

  /** Keeps `value` for `ttlMs` (default: the cache's), then makes room by dropping expired and least recently used entries. */
  set(key: K, value: V, ttlMs = this.opts.ttlMs): void {
    const old = this.entries.get(key)
    if (old !== undefined) this.remove(key, old)
    const weight = this.opts.weigh?.(value) ?? 0
    if (this.opts.maxEntries === 0 || weight > this.maxWeight || !(ttlMs > 0)) return
    this.entries.set(key, { value, expiresAt: this.opts.now() + ttlMs, weight })
    this.totalWeight += weight
    this.evict()
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined) return false
    this.remove(key, entry)
    return true
  }

  /** Forgets every entry whose key matches (a full pass: for rare invalidations, not per call); returns how many. */
  deleteWhere(match: (key: K) => boolean): number {
    let removed = 0
    for (const [key, entry] of this.entries)
      if (match(key)) {
        this.remove(key, entry)
        removed++
      }
    return removed
  }

  clear(): void {
    this.entries.clear()
    this.totalWeight = 0
  }

  /** Drops every expired entry (a full pass: for a periodic sweep, not per call). */
  prune(): void {
    const now = this.opts.now()
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.remove(key, entry)
  }

  /** From the old end: expired entries, and anything beyond the entry or weight bound. */
  private evict(): void {
    const now = this.opts.now()
    for (const [key, entry] of this.entries) {
      const over = this.entries.size > this.opts.maxEntries || this.totalWeight > this.maxWeight
      if (!over && entry.expiresAt > now) return
      this.remove(key, entry)
    }
  }

  private remove(key: K, entry: Entry<V>): void {
    this.entries.delete(key)
    this.totalWeight -= entry.weight
  }
}
