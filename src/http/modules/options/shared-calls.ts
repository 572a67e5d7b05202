/** Upstream answers by key, reused for a time to live and shared while in flight: a refresh storm costs one upstream call. */
import type { Clock } from '../../../ports/clock'

export interface Shared<T> {
  value: T
  /** When the upstream call that produced the value was sent (Unix ms). */
  at: number
}

/** Keys remembered at most; the oldest are forgotten first. */
const defaultMaxEntries = 2_000

/**
 * A key is fresh (answered within its TTL), in flight, or neither; only the last calls the upstream.
 * A failed call is remembered by no one: every waiter sees the error and the next request tries again.
 */
export class SharedCalls {
  /** Answers in insertion order, each with the moment it goes stale: stale ones at the front are dropped on every insert. */
  private readonly done = new Map<string, Shared<unknown> & { staleAt: number }>()
  private readonly inflight = new Map<string, Promise<Shared<unknown>>>()

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = defaultMaxEntries,
  ) {}

  get<T>(key: string, ttlMs: number, call: () => Promise<T>): Promise<Shared<T>> {
    const hit = this.done.get(key)
    if (hit && this.clock.now() - hit.at < ttlMs) return Promise.resolve({ value: hit.value as T, at: hit.at })
    const pending = this.inflight.get(key)
    if (pending) return pending as Promise<Shared<T>>
    const at = this.clock.now()
    const promise = (async () => ({ value: await call(), at }))()
      .then((shared) => {
        this.done.delete(key)
        this.done.set(key, { ...shared, staleAt: at + ttlMs })
        this.dropStale()
        return shared
      })
      .finally(() => this.inflight.delete(key))
    this.inflight.set(key, promise)
    return promise
  }

  /** Forgets stale answers from the oldest on (keys with longer lives may shield a few), and the oldest beyond the bound. */
  private dropStale(): void {
    const now = this.clock.now()
    for (const [key, entry] of this.done) {
      if (this.done.size <= this.maxEntries && entry.staleAt > now) return
      this.done.delete(key)
    }
  }
}
