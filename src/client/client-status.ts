/** What the market client reports to the page: its status, and each loss of the stream with how long it took to be live and caught up again. */
import type { ConnectionState, Reason } from './connection-machine'
import type { ChartPhase } from './market-model'
import type { MarketStatus, StatusData, WelcomeData } from './wire'

/** What the page shows: `state` is the machine's, except 'over_quota' while live with refused subscriptions. */
export interface ClientStatus {
  state: ConnectionState
  reason: Reason | null
  /** The latest in-band notice (limits, refused subscriptions, failed REST calls). */
  notice: Reason | null
  chartPhase: ChartPhase | null
  /** Live and the chart (if any) caught up. */
  synced: boolean
  upstream: StatusData | null
  welcome: WelcomeData | null
  /** The market's session and next open/close, as the stream (`market_status`) or REST last said; null until known. */
  market: MarketStatus | null
  polled: string[]
  attempt: number
  /** When the session token expires (server time, Unix ms), as the server last said; the client refreshes it before. */
  tokenExpiresAt: number | null
}

/** One loss of the stream and how long until the client was live and caught up again (local clock times). */
export interface Outage {
  lostAt: number
  /** The last byte heard from the server before the loss (a watchdog loss comes 5.5 s after it). */
  lastByteAt: number
  recoveredAt: number | null
}

/** The stream was lost after a welcome: a new outage opens, unless one is still open. */
export function openOutage(outages: Outage[], lostAt: number, lastByteAt: number): void {
  const last = outages[outages.length - 1]
  if (last && last.recoveredAt === null) return
  outages.push({ lostAt, lastByteAt, recoveredAt: null })
}

/** The open outage, if any, ends now when the client is live and caught up again. */
export function closeOutage(outages: Outage[], now: number, synced: () => boolean): void {
  const last = outages[outages.length - 1]
  if (last && last.recoveredAt === null && synced()) last.recoveredAt = now
}
