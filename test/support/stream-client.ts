/** A test WebSocket client for the stream: records every message and the close, and waits for them with timeouts. */

export interface StreamMessage {
  type: string
  data: any
  ts: number
  source: string
  symbol?: string
  seq?: number
  epoch?: string
  event_ts?: number
}

export interface Closed {
  code: number
  reason: string
  /** ms from the client's start to the close. */
  afterMs: number
}

export class StreamClient {
  readonly messages: StreamMessage[] = []
  readonly closed: Promise<Closed>
  readonly opened: Promise<void>
  private cursor = 0
  private waiters = new Set<() => void>()
  private readonly startedAt = Date.now()

  constructor(
    readonly ws: WebSocket,
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true })
      ws.addEventListener('error', () => reject(new Error('websocket error before open')), { once: true })
    })
    this.closed = new Promise((resolve) =>
      ws.addEventListener('close', (e) => {
        resolve({ code: e.code, reason: e.reason, afterMs: Date.now() - this.startedAt })
        this.wake()
      }),
    )
    this.opened.catch(() => {})
    ws.addEventListener('message', (e) => {
      this.messages.push(JSON.parse(String(e.data)))
      this.wake()
    })
  }

  /** Connects with Bun's client (which accepts `headers`, unlike browsers). */
  static connect(url: string, init: { protocols?: string[]; headers?: Record<string, string> } = {}): StreamClient {
    return new StreamClient(new WebSocket(url, init as any))
  }

  send(message: object | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message))
  }

  /** The next message (after the previous match) satisfying `match`; rejects after timeoutMs. */
  async next(match: (m: StreamMessage) => boolean = () => true, timeoutMs = 3000): Promise<StreamMessage> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      for (let i = this.cursor; i < this.messages.length; i++) {
        if (match(this.messages[i])) {
          this.cursor = i + 1
          return this.messages[i]
        }
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; got: ${this.summary()}`)
      await new Promise<void>((resolve) => {
        const done = () => (clearTimeout(t), this.waiters.delete(done), resolve())
        const t = setTimeout(done, left)
        this.waiters.add(done)
      })
    }
  }

  /** Next message of a type. */
  nextOf(type: string, timeoutMs?: number): Promise<StreamMessage> {
    return this.next((m) => m.type === type, timeoutMs)
  }

  /** Subscribes and returns the `subscribed` or `error` reply. */
  async request(message: object, timeoutMs?: number): Promise<StreamMessage> {
    this.send(message)
    return this.next((m) => m.type === 'subscribed' || m.type === 'error' || m.type === 'pong', timeoutMs)
  }

  ofType(type: string): StreamMessage[] {
    return this.messages.filter((m) => m.type === type)
  }

  close(): void {
    this.ws.close()
  }

  summary(): string {
    return this.messages.slice(-8).map((m) => `${m.type}${m.data?.code ? `(${m.data.code})` : ''}`).join(', ') || '(none)'
  }

  private wake(): void {
    for (const w of [...this.waiters]) w()
  }
}

/** Resolves with the close, or rejects when it does not come within timeoutMs. */
export async function closedWithin(client: StreamClient, timeoutMs: number): Promise<Closed> {
  return Promise.race([
    client.closed,
    Bun.sleep(timeoutMs).then(() => Promise.reject(new Error(`not closed within ${timeoutMs} ms; got: ${client.summary()}`))),
  ])
}
