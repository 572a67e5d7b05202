/** What a ConnectionActor is sent (its mailbox's messages, from the socket, the replica and its sweeps), and the shared objects of those without a payload. */

export type ConnectionMessage =
  | { type: 'opened' }
  | { type: 'frameAccepted'; frame: string | Uint8Array }
  | { type: 'watchlistRemoved'; ticker: string }
  | { type: 'statusChanged' }
  | { type: 'sweepDue' }
  | { type: 'drained' }

/** The messages without a payload, one shared object each: a heartbeat sweep or a drain allocates nothing. */
export const connectionSignals = Object.freeze({
  opened: Object.freeze({ type: 'opened' }),
  statusChanged: Object.freeze({ type: 'statusChanged' }),
  sweepDue: Object.freeze({ type: 'sweepDue' }),
  drained: Object.freeze({ type: 'drained' }),
} as const)
