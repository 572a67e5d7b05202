/** A test WebSocket client for the stream: records every message and the close, and waits for them (on the socket's events) with timeouts. */
import { Changes, defaultWaitMs, within } from './wait'

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
  /** Re-checks waiting conditions on every message and on the close. */
  readonly changes = new Changes()
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
        this.changes.changed()
      }),
    )
    this.opened.catch(() => {})
    ws.addEventListener('message', (e) => {
      this.messages.push(JSON.parse(String(e.data)))
      this.changes.changed()
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
  async next(match: (m: StreamMessage) => boolean = () => true, timeoutMs = defaultWaitMs): Promise<StreamMessage> {
    const found = await this.receivedSince(this.cursor, match, timeoutMs)
    this.cursor = this.messages.indexOf(found, this.cursor) + 1
    return found
  }

  /** The first message at index `from` or later satisfying `match`, as soon as it arrives (the cursor of next() stays); rejects after timeoutMs. */
  async receivedSince(from: number, match: (m: StreamMessage) => boolean, timeoutMs = defaultWaitMs): Promise<StreamMessage> {
    let found: StreamMessage | undefined
    let checked = from
    const seen = () => {
      for (; checked < this.messages.length; checked++) if (match(this.messages[checked])) return !!(found = this.messages[checked])
      return false
    }
    await this.changes.until(seen, `a matching message from #${from}`, timeoutMs).catch((error) => {
      throw new Error(`no matching message within ${timeoutMs} ms; got: ${this.summary()}`, { cause: error })
    })
    return found!
  }

  /** Resolves once `condition` holds, re-checked on every message and on the close; rejects after timeoutMs. */
  until(condition: () => boolean, label: string, timeoutMs = defaultWaitMs): Promise<void> {
    return this.changes.until(condition, `${label}; got: ${this.summary()}`, timeoutMs)
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
}

/** Resolves with the close, or rejects when it does not come within timeoutMs. */
export async function closedWithin(client: StreamClient, timeoutMs: number): Promise<Closed> {
  return within(client.closed, timeoutMs, 'the close').catch((error) => {
    throw new Error(`not closed within ${timeoutMs} ms; got: ${client.summary()}`, { cause: error })
  })
}
