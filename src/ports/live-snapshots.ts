/** LiveSnapshotSource port: what this replica's stream knows of a ticker right now, for the REST snapshots service. */
import type { SnapshotData } from '../core/coalesce'

/** A symbol's latest stream snapshot on this replica. */
export interface LiveSnapshot extends Omit<SnapshotData, 'updated_at'> {
  /** The last trade's time, Unix ms. */
  updatedAt: number
  /** When this replica last received it, Unix ms. */
  receivedAt: number
}

/** Contract: answers at once from memory, never throws; null when this replica streams no snapshot of the ticker. */
export interface LiveSnapshotSource {
  liveSnapshot(ticker: string): LiveSnapshot | null
}
