/** StreamCounters: what happened to a replica's stream sockets since start (admissions, closes and refusals by close code, errors sent), for /metrics. */
import { CloseCode, type CloseName } from '../contract/protocol'

/** Close codes with a name: ours (core/protocol) and the RFC 6455 ones a client or Bun may report. */
const closeNames = new Map<number, string>([
  [1000, 'NORMAL'],
  [1001, 'GOING_AWAY'],
  [1005, 'NO_STATUS'],
  [1006, 'ABNORMAL'],
  [1009, 'MESSAGE_TOO_BIG'],
  [1011, 'SERVER_ERROR'],
  ...(Object.entries(CloseCode) as [CloseName, number][]).map(([name, code]) => [code, name] as [number, string]),
])

/** Any other code a client sends is counted under this one, so a client cannot invent label values. */
const otherClose = 0

/** Labels of a counted close code: the number and its name (`other`/`OTHER` for unnamed codes). */
export function closeLabels(code: number): { code: string; name: string } {
  const name = closeNames.get(code)
  return name === undefined ? { code: 'other', name: 'OTHER' } : { code: String(code), name }
}

/** Counted once per socket event, never per message. */
export class StreamCounters {
  /** Sockets admitted to a ConnectionActor (opened minus closed = open). */
  opened = 0
  /** Closes of admitted sockets, by close code (either side). */
  readonly closes = new Map<number, number>()
  /** Handshakes refused before a ConnectionActor existed, by close name. */
  readonly refusals = new Map<CloseName, number>()
  /** `error` messages sent to clients, by code (limits, quotas, protocol errors, and the error before a close). */
  readonly errorsSent = new Map<string, number>()

  closed(code: number): void {
    bump(this.closes, closeNames.has(code) ? code : otherClose)
  }
  refused(name: CloseName): void {
    bump(this.refusals, name)
  }
  errorSent(code: string): void {
    bump(this.errorsSent, code)
  }
}

function bump<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}
