/** Turns of the event loop for long synchronous work (building history, embedded-database writes): yield between slices so timers, sockets and other requests run. */

/** Resolves on the next turn of the event loop, after pending I/O and timers. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * A yield point for a loop of synchronous slices: resolves at once while less than `sliceMs` of
 * work ran since the last turn, else on the next turn. Await it between slices.
 */
export function turnEvery(sliceMs: number): () => Promise<void> | undefined {
  let since = performance.now()
  return () => {
    if (performance.now() - since < sliceMs) return undefined
    return nextTurn().then(() => {
      since = performance.now()
    })
  }
}
