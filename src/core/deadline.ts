/** withDeadline: a promise that settles with the work, or rejects with the caller's error once `ms` have passed on the given clock. */

/** The timer half of a clock (the Clock port satisfies it); core stays free of project imports. */
export interface DeadlineTimers<H> {
  setTimeout(fn: () => void, ms: number): H
  clearTimeout(handle: H): void
}

/** The work keeps running past the deadline (it cannot be cancelled from here); only the caller stops waiting. */
export function withDeadline<T, H>(work: Promise<T>, ms: number, clock: DeadlineTimers<H>, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(onTimeout()), ms)
    work.then(
      (value) => {
        clock.clearTimeout(timer)
        resolve(value)
      },
      (error) => {
        clock.clearTimeout(timer)
        reject(error)
      },
    )
  })
}
