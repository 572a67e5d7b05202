/** Pure estimate of the server's clock from the times it reports (stream `ts`, HTTP `Date`), so REST ranges follow the server, not a skewed PC clock. */

export interface ServerClockOptions {
  /** How long (local ms) a stream sample counts towards the estimate. @default 60_000 */
  windowMs: number
  /** HTTP `Date` samples kept. @default 8 */
  httpSamples: number
}

export const defaultServerClockOptions: ServerClockOptions = { windowMs: 60_000, httpSamples: 8 }

/** `Date` has whole seconds: the server's time was somewhere in [D, D + 1000). */
const dateResolutionMs = 1000

interface StreamSample {
  /** ts − receivedAt: a lower bound of the offset. */
  bound: number
  receivedAt: number
}

interface OffsetRange {
  lo: number
  hi: number
  receivedAt: number
}

/**
 * The offset of the server's clock from the local one (server − local), starting at 0.
 *
 * Stream frames carry `ts`, the server's send time. A frame received at local time r means
 * offset ≥ ts − r: time in transit (network, buffers, a busy tab) only lowers a sample, never
 * raises it. So the estimate is the largest sample of the last `windowMs`, the least delayed
 * frame. One late frame, or a burst of them, cannot move it, where a median or mean of recent
 * offsets would carry the typical or backlog delay into the estimate. Its error is the smallest
 * transit time in the window, and it errs towards the past, so "now" is never in the server's
 * future. The window lets it follow drift and a corrected local clock: a local clock stepping
 * back (a sample received before the previous one) drops the older samples at once; a step
 * forward is followed once they age out.
 *
 * An HTTP `Date` D seen by a request sent at local s and answered at r bounds the offset to
 * [D − r, D + 1000 − s]. The intersection of recent bounds is kept and its middle used, but only
 * while no stream sample exists: the stream's bound is about a thousand times finer.
 */
export class ServerClock {
  private readonly o: ServerClockOptions
  /** Samples of the window whose bounds decrease, oldest first: the first is the window's largest. */
  private stream: StreamSample[] = []
  private http: OffsetRange[] = []

  constructor(options: Partial<ServerClockOptions> = {}) {
    this.o = { ...defaultServerClockOptions, ...options }
  }

  /** The server's time at local time `localNow`. */
  now(localNow: number): number {
    return localNow + this.offset()
  }

  /** Server − local, in ms: from the stream if it has spoken, else from HTTP dates, else 0. */
  offset(): number {
    if (this.stream.length > 0) return this.stream[0].bound
    if (this.http.length === 0) return 0
    let lo = -Infinity
    let hi = Infinity
    for (const r of this.http) {
      lo = Math.max(lo, r.lo)
      hi = Math.min(hi, r.hi)
    }
    return Math.round((lo + hi) / 2)
  }

  /** A stream message with server time `ts`, received at local time `receivedAt`. */
  streamSample(ts: number, receivedAt: number): void {
    if (!Number.isFinite(ts) || !Number.isFinite(receivedAt)) return
    const s = this.stream
    if (s.length > 0 && receivedAt < s[s.length - 1].receivedAt) s.length = 0
    const bound = ts - receivedAt
    while (s.length > 0 && s[s.length - 1].bound <= bound) s.pop()
    s.push({ bound, receivedAt })
    while (s[0].receivedAt < receivedAt - this.o.windowMs) s.shift()
  }

  /** An HTTP response's `Date` header, for a request sent at local `sentAt` and answered at `receivedAt`. */
  httpSample(date: string, sentAt: number, receivedAt: number): void {
    const d = Date.parse(date)
    if (!Number.isFinite(d) || !(sentAt <= receivedAt)) return
    const h = this.http
    if (h.length > 0 && receivedAt < h[h.length - 1].receivedAt) h.length = 0
    const range = { lo: d - receivedAt, hi: d + dateResolutionMs - sentAt, receivedAt }
    // Bounds that no longer overlap mean a clock stepped (or another server answered): start over.
    if (h.some((r) => r.lo > range.hi || r.hi < range.lo)) h.length = 0
    h.push(range)
    if (h.length > this.o.httpSamples) h.shift()
  }
}
