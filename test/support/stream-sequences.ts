/** Per-symbol market message runs of stream clients: duplicates removed, gaps found, and the window of seqs every client received, for comparing clients on different replicas. */
import type { StreamClient, StreamMessage } from './stream-client'

const marketTypes = new Set(['trade', 'bar', 'snapshot'])

export const isMarket = (m: StreamMessage): boolean => marketTypes.has(m.type)

/**
 * The market messages of `symbol` in `epoch` that `client` received from message index `from`
 * on, in arrival order, without re-sent copies (same epoch and seq: a replica that gains its
 * first subscriber asks for the latest values again). Throws when a copy differs from the first.
 */
export function marketRun(client: StreamClient, symbol: string, epoch: string, from = 0): StreamMessage[] {
  const bySeq = new Map<number, StreamMessage>()
  const run: StreamMessage[] = []
  for (const m of client.messages.slice(from)) {
    if (!isMarket(m) || m.symbol !== symbol || m.epoch !== epoch) continue
    const first = bySeq.get(m.seq!)
    if (first === undefined) {
      bySeq.set(m.seq!, m)
      run.push(m)
    } else if (JSON.stringify(first) !== JSON.stringify(m)) {
      throw new Error(`${symbol} ${epoch}#${m.seq} arrived twice with different content`)
    }
  }
  return run
}

/**
 * The market messages of `symbol` in `epoch` that are new to `client` from index `from` on: its
 * marketRun without the re-sent latest values (a replica asks for them again when it gains its
 * first subscriber), which carry seqs the client already had before `from`, however late they come.
 */
export function newRun(client: StreamClient, symbol: string, epoch: string, from: number): StreamMessage[] {
  let seen = -Infinity
  for (const m of client.messages.slice(0, from))
    if (isMarket(m) && m.symbol === symbol && m.epoch === epoch) seen = Math.max(seen, m.seq!)
  return marketRun(client, symbol, epoch, from).filter((m) => m.seq! > seen)
}

/** Seqs missing between the first and last message of a run, and seqs that went backwards. */
export function continuityProblems(run: StreamMessage[]): string[] {
  const problems: string[] = []
  for (let i = 1; i < run.length; i++) {
    const [prev, seq] = [run[i - 1].seq!, run[i].seq!]
    if (seq !== prev + 1) problems.push(`${run[i].symbol} seq ${prev} → ${seq}`)
  }
  return problems
}

/** The epoch of the latest market message of `symbol` the client received, or null. */
export function latestEpoch(client: StreamClient, symbol: string): string | null {
  for (let i = client.messages.length - 1; i >= 0; i--) {
    const m = client.messages[i]
    if (isMarket(m) && m.symbol === symbol) return m.epoch!
  }
  return null
}

/**
 * The seqs every run covers ([max of first seqs, min of last seqs]) and each run cut to that
 * range. Equal windows mean every client got the same messages, in the same order.
 */
export function commonWindow(runs: StreamMessage[][]): { lo: number; hi: number; windows: StreamMessage[][] } {
  const lo = Math.max(...runs.map((r) => r[0]?.seq ?? Infinity))
  const hi = Math.min(...runs.map((r) => r.at(-1)?.seq ?? -Infinity))
  return { lo, hi, windows: runs.map((r) => r.filter((m) => m.seq! >= lo && m.seq! <= hi)) }
}

/** Resolves once `client` has received, at index `from` or later, a message matching `match` (on its message event); rejects after timeoutMs. */
export function receivedSince(
  client: StreamClient,
  from: number,
  match: (m: StreamMessage) => boolean,
  timeoutMs: number,
): Promise<StreamMessage> {
  return client.receivedSince(from, match, timeoutMs)
}
