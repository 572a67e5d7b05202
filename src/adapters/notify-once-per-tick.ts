/** Change listeners of the symbol registries (memory and Redis), run at most once per microtask. */

/** Runs every listener once per microtask however many changes arrived; a throwing listener never stops the others. */
export function notifyOncePerTick(listeners: ReadonlySet<() => void>): () => void {
  let queued = false
  return () => {
    if (queued) return
    queued = true
    queueMicrotask(() => {
      queued = false
      for (const listener of listeners) {
        try {
          listener()
        } catch (error) {
          console.error('symbol registry listener threw', error)
        }
      }
    })
  }
}
