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
 */
export abstract class Actor<M> {
  private queue: (M | undefined)[] = []
  private head = 0
  private processing = false
  private currentStatus: ActorStatus = 'idle'
  private readonly statusListeners = new Set<(status: ActorStatus) => void>()
  private readonly maxQueue: number
  private readonly onFailure?: (error: unknown) => void
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
    return this.queue.length - this.head
  }

  /** Enqueues a message; false when the actor is stopped/failed or its mailbox is full. */
  send(message: M): boolean {
    if (this.currentStatus === 'stopped' || this.currentStatus === 'failed') return false
    if (this.queued >= this.maxQueue) return false
    this.queue.push(message)
    if (!this.processing) this.drain()
    return true
  }

  /** Listens to real status changes; returns a function that removes the listener. */
  onStatusChange(listener: (status: ActorStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  protected setStatus(status: ActorStatus): void {
    if (status === this.currentStatus) return
    this.currentStatus = status
    if (status === 'stopped' || status === 'failed') this.clearQueue()
    for (const listener of this.statusListeners) listener(status)
  }

  /** Moves to 'failed' and reports the error to the supervisor. */
  protected fail(error: unknown): void {
    if (this.currentStatus === 'failed' || this.currentStatus === 'stopped') return
    this.failure = error
    this.setStatus('failed')
    this.onFailure?.(error)
  }

  private drain(): void {
    this.processing = true
    while (this.head < this.queue.length) {
      if (this.currentStatus === 'stopped' || this.currentStatus === 'failed') break
      const message = this.queue[this.head] as M
      this.queue[this.head++] = undefined
      let result: void | Promise<void>
      try {
        result = this.handle(message)
      } catch (error) {
        this.fail(error)
        break
      }
      if (result instanceof Promise) {
        result.then(
          () => this.drain(),
          (error) => {
            this.processing = false
            this.fail(error)
          },
        )
        return
      }
    }
    if (this.head >= this.queue.length) this.clearQueue()
    this.processing = false
  }

  private clearQueue(): void {
    this.queue = []
    this.head = 0
  }
}
