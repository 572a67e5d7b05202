/** Upstream answers by key, reused for a time to live and shared while in flight (a refresh storm costs one upstream call); a bounded number kept a while longer to serve stale. */
import { BoundedCache } from '../core/bounded-cache'
import { SingleFlight } from '../core/single-flight'
import type { Clock } from '../ports/clock'

export interface Shared<T> {
  value: T
  /** When the upstream call that produced the value was sent (Unix ms). */
  at: number
}

export interface SharedCallsOptions {
  /** Answers kept at most; the least recently used are forgotten first. @default 200 */
  maxEntries?: number
  /** How long past its TTL an answer is still kept for last() (stale use when the upstream fails). @default 0 */
  staleForMs?: number
}

/**
 * A key is fresh (answered within its TTL), in flight, or neither; only the last calls the upstream.
 * A failed call is remembered by no one: every waiter sees the error and the next request tries
 * again. In-flight calls are bounded by the requests waiting on them; answers by maxEntries and
 * by TTL + staleForMs.
 */
export class SharedCalls {
  private readonly done: BoundedCache<string, Shared<unknown>>
  private readonly inflight = new SingleFlight()
  private readonly staleForMs: number

  constructor(
    private readonly clock: Clock,
    opts: SharedCallsOptions = {},
  ) {
    this.staleForMs = opts.staleForMs ?? 0
    this.done = new BoundedCache({ maxEntries: opts.maxEntries ?? 200, ttlMs: 0, now: () => clock.now() })
  }

  /** Answers kept (fresh or stale). */
  get size(): number {
    return this.done.size
  }

  get<T>(key: string, ttlMs: number, call: () => Promise<T>): Promise<Shared<T>> {
    const hit = this.done.get(key)
    if (hit && this.clock.now() - hit.at < ttlMs) return Promise.resolve({ value: hit.value as T, at: hit.at })
    return this.inflight.run(key, async () => {
      const at = this.clock.now()
      const shared = { value: await call(), at }
      this.done.set(key, shared, at + ttlMs + this.staleForMs - this.clock.now())
      return shared
    })
  }

  /** The last answer kept for `key`, however old (within its TTL + staleForMs), or undefined. */
  last<T>(key: string): Shared<T> | undefined {
    return this.done.get(key) as Shared<T> | undefined
  }
}
