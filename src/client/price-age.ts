/** How old each watchlist price is: the last moment the client knew it current (a live stream's last byte, or a REST snapshot's arrival), and when that makes it stale. */

export interface PriceAgeOptions {
  /** A price not known current for longer than this is stale (dimmed, with its age). @default 6_000 */
  staleAfterMs: number
}

export interface PriceAge {
  /** Local ms since the price was last known current; null when it never was (nothing loaded). */
  ageMs: number | null
  /** Not known current within staleAfterMs. */
  stale: boolean
  /** Carried by a live stream right now (its age is the time since the stream's last byte). */
  streamed: boolean
}

export class PriceAges {
  /** Per ticker, the local time it was last known current while not streamed. */
  private knownAt = new Map<string, number>()

  constructor(private readonly staleAfterMs = 6_000) {}

  /** REST snapshots for these tickers arrived at `at`. */
  fetched(tickers: Iterable<string>, at: number): void {
    for (const t of tickers) this.knownAt.set(t, Math.max(at, this.knownAt.get(t) ?? at))
  }

  /** The stream that carried these tickers is gone: they were current until its last byte, `heardAt`. */
  streamLost(tickers: Iterable<string>, heardAt: number): void {
    this.fetched(tickers, heardAt)
  }

  /** The age at `now`; `streamHeardAt` is the live stream's last byte when it carries the ticker, else null. */
  age(ticker: string, now: number, streamHeardAt: number | null): PriceAge {
    const fetched = this.knownAt.get(ticker)
    const known = streamHeardAt === null ? fetched : Math.max(streamHeardAt, fetched ?? streamHeardAt)
    if (known === undefined) return { ageMs: null, stale: true, streamed: false }
    const ageMs = Math.max(0, now - known)
    const stale = ageMs > this.staleAfterMs
    return { ageMs, stale, streamed: streamHeardAt !== null && !stale }
  }
}

/** Short age for a row: '4s', '2m', '3h', '2d'. */
export function ageLabel(ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86_400)}d`
}
