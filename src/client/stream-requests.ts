/** StreamRequests: the ids of a client's stream requests, the symbols of each subscribe still unanswered (an error names them refused), and which ids are token refreshes. */

/** Ids of the stream's `refresh` requests start with this (their errors go to the refresher). */
const refreshIdPrefix = 'refresh-'

export class StreamRequests {
  private subscribes = new Map<string, string[]>()
  private nextRequestId = 1

  /** A fresh id for a subscribe request. */
  subscribeId(): string {
    return `sub-${this.nextRequestId++}`
  }

  /** A fresh id for a token `refresh` request. */
  refreshId(): string {
    return `${refreshIdPrefix}${this.nextRequestId++}`
  }

  /** Whether `id` is a refresh request's. */
  isRefresh(id: string | number | undefined): boolean {
    return typeof id === 'string' && id.startsWith(refreshIdPrefix)
  }

  /** A subscribe of `symbols` went out with `id`. */
  sent(id: string, symbols: string[]): void {
    this.subscribes.set(id, symbols)
  }

  /** The server answered `id`: it is no longer waited for. */
  answered(id: string | number): void {
    this.subscribes.delete(String(id))
  }

  /** The symbols of the subscribe `id` that the server refused, now forgotten; undefined when no subscribe waits under it. */
  refused(id: string | number | undefined): string[] | undefined {
    const symbols = id === undefined ? undefined : this.subscribes.get(String(id))
    if (symbols) this.subscribes.delete(String(id))
    return symbols
  }

  /** The stream is gone: no answer will come. */
  clear(): void {
    this.subscribes.clear()
  }
}
