/** BoundedSemaphore: at most `concurrency` tasks run at once, at most `maxQueued` wait behind them in order, and anything beyond is refused at once instead of queuing forever; pure. */

export interface SemaphoreStats {
  running: number
  queued: number
  /** Tasks refused because the queue was full, since start. */
  refused: number
}

export class BoundedSemaphore {
  private running = 0
  private refused = 0
  private readonly waiting: (() => void)[] = []

  constructor(
    readonly concurrency: number,
    readonly maxQueued: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be an integer >= 1')
    if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new RangeError('maxQueued must be an integer >= 0')
  }

  /**
   * Runs `task` once a slot is free (at once, or after the tasks queued before it) and settles
   * like it. Returns null, without running it, when every slot is taken and `maxQueued` tasks
   * already wait: the caller answers "busy" instead.
   */
  tryRun<T>(task: () => Promise<T>): Promise<T> | null {
    if (this.running < this.concurrency) {
      this.running++
      return this.runHolding(task)
    }
    if (this.waiting.length >= this.maxQueued) {
      this.refused++
      return null
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.runHolding(task))
  }

  stats(): SemaphoreStats {
    return { running: this.running, queued: this.waiting.length, refused: this.refused }
  }

  /** Runs `task` in a slot already taken, and hands the slot on (to the next waiter, or back) when it settles. */
  private async runHolding<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }
}
