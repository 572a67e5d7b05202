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
  private readonly done = new Map<string, Shared<unknown>>()
  private readonly inflight = new Map<string, Promise<Shared<unknown>>>()

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = defaultMaxEntries,
  ) {}

  get<T>(key: string, ttlMs: number, call: () => Promise<T>): Promise<Shared<T>> {
    const hit = this.done.get(key)
    if (hit && this.clock.now() - hit.at < ttlMs) return Promise.resolve(hit as Shared<T>)
    const pending = this.inflight.get(key)
    if (pending) return pending as Promise<Shared<T>>
    const at = this.clock.now()
    const promise = (async () => ({ value: await call(), at }))()
      .then((shared) => {
        this.done.delete(key)
        this.done.set(key, shared)
        if (this.done.size > this.maxEntries) this.done.delete(this.done.keys().next().value!)
        return shared
      })
      .finally(() => this.inflight.delete(key))
    this.inflight.set(key, promise)
    return promise
  }
}
