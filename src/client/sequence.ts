/** Per-symbol continuity check of stream messages: seq is contiguous within an epoch; a new epoch means history was lost. */

export interface StreamCursor {
  epoch: string
  /** The seq of the last applied message. */
  seq: number
}

/**
 * - 'first': no cursor yet (just subscribed): apply and start counting here.
 * - 'next': the next message in order: apply.
 * - 'stale': seq ≤ last applied in the same epoch (a duplicate or a late re-send): drop.
 * - 'gap': messages were skipped: recover before applying more.
 * - 'new_epoch': the server lost continuity (restart, upstream reconnect): recover.
 */
export type SequenceVerdict = 'first' | 'next' | 'stale' | 'gap' | 'new_epoch'

export function checkSequence(cursor: StreamCursor | null, epoch: string, seq: number): SequenceVerdict {
  if (cursor === null) return 'first'
  if (epoch !== cursor.epoch) return 'new_epoch'
  if (seq <= cursor.seq) return 'stale'
  return seq === cursor.seq + 1 ? 'next' : 'gap'
}

/** True when the verdict means the message may be applied. */
export const isApplicable = (v: SequenceVerdict) => v === 'first' || v === 'next'
