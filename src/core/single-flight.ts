/** SingleFlight: concurrent calls with one key share one promise while it is in flight (a burst of equal requests costs one upstream call). */

/**
 * A key is in flight from the first `run` until its call settles; later callers of the key get
 * the same promise, failure included. A failure is remembered by no one: the next `run` calls
 * again. Calls come in two strengths: a strong caller (interactive) that joined a weak call (one
 * a rate budget may refuse where it would let a strong one through) calls again itself if the weak
 * call fails. Memory is bounded by the calls in flight.
 */
export class SingleFlight {
  private readonly calls = new Map<string, { promise: Promise<unknown>; strong: boolean }>()

  /** `fn()` for the first caller of `key`, the call in flight for the others. @param strong @default true */
  run<T>(key: string, fn: () => Promise<T>, strong = true): Promise<T> {
    const existing = this.calls.get(key)
    if (existing) {
      const joined = existing.promise as Promise<T>
      if (!strong || existing.strong) return joined
      return joined.catch(() => this.run(key, fn, strong))
    }
    const promise = fn().finally(() => this.calls.delete(key))
    this.calls.set(key, { promise, strong })
    return promise
  }

  /** Keys in flight. */
  get size(): number {
    return this.calls.size
  }
}
