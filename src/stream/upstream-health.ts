/** UpstreamHealth: what clients are told about the feed — the holder's UpstreamActor report (local or via the bus) combined with bus health. */
import type { UpstreamHealthView } from '../actors/connection-actor'
import type { UpstreamReport } from '../actors/upstream-actor'
import type { Bus } from '../ports/bus'
import type { Clock } from '../ports/clock'

/** Bus topic on which the holder announces its UpstreamReport. */
export const upstreamStatusTopic = 'ctl:upstream'
/** Bus topic on which a replica whose bus just became healthy asks the holder to announce at once. */
export const upstreamQueryTopic = 'ctl:upstream:query'

/** The client-facing view of an upstream report, with the quotes refusal when there was one. */
export function viewOf(report: UpstreamReport | null): UpstreamHealthView {
  const view = feedViewOf(report)
  if (report?.quotes === 'unavailable')
    view.quotes = {
      available: false,
      reason: report.quotesReason ?? { code: 'UPSTREAM_QUOTES_UNAVAILABLE', message: 'the provider plan has no quotes' },
    }
  return view
}

function feedViewOf(report: UpstreamReport | null): UpstreamHealthView {
  if (report === null)
    return { upstream: 'reconnecting', reason: { code: 'UPSTREAM_UNKNOWN', message: 'no replica reports the upstream feed' } }
  switch (report.state) {
    case 'connected':
      return { upstream: 'ok' }
    case 'failed':
      return { upstream: 'degraded', reason: report.reason ?? { code: 'UPSTREAM_FAILED', message: 'upstream feed failed' } }
    default:
      return report.reason ? { upstream: 'reconnecting', reason: report.reason } : { upstream: 'reconnecting' }
  }
}

/**
 * Holds the latest report: the local one while this replica holds the upstream, otherwise the
 * last one the holder announced on the bus (stale after `staleAfterMs`). Calls `onChange` when
 * the client-facing view changes. Whenever its bus becomes healthy (a replica just started, or
 * Redis is back) it asks the holder for the report instead of waiting for the periodic one.
 */
export class UpstreamHealth {
  private local: UpstreamReport | null = null
  private holding = false
  private remote: { report: UpstreamReport; at: number } | null = null
  private lastKey = ''
  private readonly unsubscribe: () => void
  private readonly unsubscribeQuery: () => void
  private readonly unlistenBus: () => void

  constructor(
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly staleAfterMs: number,
    private readonly onChange: () => void,
  ) {
    this.unsubscribe = bus.subscribe(upstreamStatusTopic, (payload) => {
      try {
        this.remote = { report: JSON.parse(payload) as UpstreamReport, at: clock.now() }
      } catch {
        return
      }
      this.check()
    })
    this.unsubscribeQuery = bus.subscribe(upstreamQueryTopic, () => this.tick())
    this.unlistenBus = bus.onHealthChange((health) => {
      // settled(): the answer must find our subscription to upstreamStatusTopic in place.
      if (health.state === 'ok' && !this.holding) void bus.settled().then(() => bus.publish(upstreamQueryTopic, ''))
      this.check()
    })
    this.lastKey = JSON.stringify(this.view())
  }

  setHolding(holding: boolean, report: UpstreamReport): void {
    this.holding = holding
    this.local = report
    this.check()
  }

  /** The holder's report changed: keep it and announce it to other replicas. */
  setLocal(report: UpstreamReport): void {
    this.local = report
    if (this.holding) this.bus.publish(upstreamStatusTopic, JSON.stringify(report))
    this.check()
  }

  /** Periodic: the holder re-announces (late joiners); others notice a silent holder. */
  tick(): void {
    if (this.holding && this.local) this.bus.publish(upstreamStatusTopic, JSON.stringify(this.local))
    this.check()
  }

  view(): UpstreamHealthView {
    const fresh = this.remote && this.clock.now() - this.remote.at <= this.staleAfterMs ? this.remote.report : null
    const view = viewOf(this.holding ? this.local : fresh)
    const bus = this.bus.health()
    if (bus.state === 'degraded' && view.upstream === 'ok')
      return { ...view, upstream: 'degraded', reason: { code: 'BUS_DEGRADED', message: bus.reason ?? 'bus degraded' } }
    return view
  }

  close(): void {
    this.unsubscribe()
    this.unsubscribeQuery()
    this.unlistenBus()
  }

  private check(): void {
    const key = JSON.stringify(this.view())
    if (key === this.lastKey) return
    this.lastKey = key
    this.onChange()
  }
}
