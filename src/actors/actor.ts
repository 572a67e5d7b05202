/** Actor base: a FIFO mailbox processed one message at a time, an explicit status, and failures reported, never swallowed. */

export type ActorStatus = 'idle' | 'running' | 'stopping' | 'stopped' | 'failed'

export interface ActorOptions {
  /** Messages that may wait; beyond it `send` refuses (returns false). @default 1024 */
  maxQueue?: number
  /** Called once when a handler throws or rejects; the actor is then 'failed' and drops its mailbox. */
  onFailure?: (error: unknown) => void
}

/**
 * Messages are handled strictly in order. A synchronous handler runs to completion before the
 * next message; an async handler holds the mailbox until its promise settles, so messages that
 * arrive meanwhile wait (XState Mailbox style). Synchronous handlers drain synchronously: no
 * microtask hop per message.
 *
 * An actor that is not handling anything holds no mailbox array and no listener set: a message
 * sent to an idle actor is handled at once, and the queue and the listeners are allocated the
 * first time they are needed (thousands of idle connection actors cost only their fields).
 */
export abstract class Actor<M> {
  private queue: (M | undefined)[] | null = null
  private head = 0
  private processing = false
  private currentStatus: ActorStatus = 'idle'
  private statusListeners: Set<(status: ActorStatus) => void> | null = null
  private readonly maxQueue: number
  private readonly onFailure: ((error: unknown) => void) | undefined
  /** The error that moved the actor to 'failed'. */
  failure: unknown = undefined

  constructor(options: ActorOptions = {}) {
    this.maxQueue = options.maxQueue ?? 1024
    this.onFailure = options.onFailure
  }

  protected abstract handle(message: M): void | Promise<void>

  get status(): ActorStatus {
    return this.currentStatus
  }

  /** Messages waiting (not counting the one being handled). */
  get queued(): number {
    return this.queue === null ? 0 : this.queue.length - this.head
  }

  /** Enqueues a message; false when the actor is stopped/failed or its mailbox is full. */
  send(message: M): boolean {
    if (this.currentStatus === 'stopped' || this.currentStatus === 'failed') return false
    if (this.queued >= this.maxQueue) return false
    if (this.processing) {
      ;(this.queue ??= []).push(message)
      return true
    }
    // Nothing is being handled, so nothing waits either: handle this one now.
    this.processing = true
    this.#run(message)
    return true
  }

  /** Listens to real status changes; returns a function that removes the listener. */
  onStatusChange(listener: (status: ActorStatus) => void): () => void {
    const listeners = (this.statusListeners ??= new Set())
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  protected setStatus(status: ActorStatus): void {
    if (status === this.currentStatus) return
    this.currentStatus = status
    if (status === 'stopped' || status === 'failed') this.clearQueue()
    if (this.statusListeners !== null) for (const listener of this.statusListeners) listener(status)
  }

  /** Moves to 'failed' and reports the error to the supervisor. */
  protected fail(error: unknown): void {
    if (this.currentStatus === 'failed' || this.currentStatus === 'stopped') return
    this.failure = error
    this.setStatus('failed')
    this.reportFailure(error)
  }

  /** Reports a failure (once): to `options.onFailure` unless a subclass handles it itself. */
  protected reportFailure(error: unknown): void {
    this.onFailure?.(error)
  }

  /** Handles `message`, then every message waiting, until the mailbox is empty or a handler is async. */
  #run(message: M): void {
    let next = message
    for (;;) {
      if (this.currentStatus === 'stopped' || this.currentStatus === 'failed') break
      let result: void | Promise<void>
      try {
        result = this.handle(next)
      } catch (error) {
        this.fail(error)
        break
      }
      if (result instanceof Promise) return this.#awaitHandler(result)
      const queue = this.queue
      if (queue === null || this.head >= queue.length) break
      next = queue[this.head] as M
      queue[this.head++] = undefined
    }
    this.clearQueue()
    this.processing = false
  }

  /**
   * Holds the mailbox until an async handler settles. Kept out of #run: a closure there would
   * make every message, synchronous ones included, allocate a scope for it.
   */
  #awaitHandler(result: Promise<void>): void {
    result.then(
      () => this.#resume(),
      (error) => {
        this.processing = false
        this.fail(error)
      },
    )
  }

  /** An async handler settled: the next waiting message, if any. */
  #resume(): void {
    const queue = this.queue
    if (queue === null || this.head >= queue.length) {
      this.clearQueue()
      this.processing = false
      return
    }
    const next = queue[this.head] as M
    queue[this.head++] = undefined
    this.#run(next)
  }

  private clearQueue(): void {
    this.queue = null
    this.head = 0
  }
}
