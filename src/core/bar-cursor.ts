/** Bars page cursors: the next page's query, signed with HMAC-SHA256 under a server key so only cursors this server issued are read back. Pure. */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** What a cursor carries: the query of the next page, except `limit` (each request gives its own). */
export interface CursorState {
  ticker: string
  timespan: string
  multiplier: number
  fromMs: number
  toMs: number
  /** Sessions kept (absent in cursors issued before the parameter: all). */
  session?: 'all' | 'regular'
}

/** Cursors are opaque to clients: `<payload>.<mac>`, both base64url; the payload is only read once the MAC matches. */
export interface BarCursorCodec {
  encode(state: CursorState): string
  /**
   * The state of a cursor this key signed, or null when it is malformed, too long or not signed
   * with this key. The state is only what the server wrote: callers still validate it as a query.
   */
  decode(raw: string): CursorState | null
}

/** Longest cursor read (a real one is about 150 characters); longer input is refused before any work. */
const maxCursorLength = 512

const base64url = /^[A-Za-z0-9_-]+$/

/** The cursor key derived from the server secret, so the secret itself never signs anything but tokens. */
export function barCursorKey(serverSecret: string): Uint8Array {
  return createHmac('sha256', serverSecret).update('bars-cursor').digest()
}

export function createBarCursorCodec(key: Uint8Array): BarCursorCodec {
  if (key.length < 16) throw new RangeError('a bars cursor key must be at least 16 bytes')
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest()
  return {
    encode(s) {
      const wire = { v: 2, tk: s.ticker, ts: s.timespan, m: s.multiplier, f: s.fromMs, t: s.toMs, ...(s.session === 'regular' ? { s: 'r' } : {}) }
      const payload = Buffer.from(JSON.stringify(wire)).toString('base64url')
      return `${payload}.${mac(payload).toString('base64url')}`
    },
    decode(raw) {
      if (typeof raw !== 'string' || raw.length > maxCursorLength) return null
      const parts = raw.split('.')
      if (parts.length !== 2 || !base64url.test(parts[0]!) || !base64url.test(parts[1]!)) return null
      const [payload, signature] = parts as [string, string]
      // Compared as text, so a second spelling of the same bytes (base64's spare low bits) is refused too.
      const given = Buffer.from(signature)
      const expected = Buffer.from(mac(payload).toString('base64url'))
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
      let s: unknown
      try {
        s = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
      } catch {
        return null
      }
      if (typeof s !== 'object' || s === null) return null
      const w = s as Record<string, unknown>
      if (
        w.v !== 2 ||
        typeof w.tk !== 'string' ||
        typeof w.ts !== 'string' ||
        typeof w.m !== 'number' ||
        typeof w.f !== 'number' ||
        typeof w.t !== 'number' ||
        (w.s !== undefined && w.s !== 'r')
      )
        return null
      return { ticker: w.tk, timespan: w.ts, multiplier: w.m, fromMs: w.f, toMs: w.t, session: w.s === 'r' ? 'regular' : 'all' }
    },
  }
}
