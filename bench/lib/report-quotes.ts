/** Workload 1c in the generated block: the quotes targets (delivered at each server's max; efficiency at an equal upstream rate) and their tables. */
import type { FanoutResult } from '../workloads/fanout'
import type { Results, TargetCheck } from './report'
import { ratio, round } from './stats'

const fmt = (n: number | null | undefined, digits = 0) =>
  n == null || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
const x = (n: number | null | undefined) => (n == null ? '—' : `${fmt(n, 2)}×`)
const pct = (n: number | null | undefined) => (n == null ? '—' : `${fmt(n * 100, 1)} %`)

/** What the efficiency target allows: ≥ 0.7× bare Bun's upstream events per server CPU-second (≤ 1/0.7 of its CPU at the same load). */
/** Server CPU µs per delivered message at the equal rate. */
const perDelivery = (r: { cpu: { server: number }; deliveredPerSec: number }): number | null =>
  r.deliveredPerSec > 0 ? (r.cpu.server / r.deliveredPerSec) * 1e6 : null

export const equalRateMinRatio = 0.7
/** The service keeps up when its lag p99 stays within the flush window plus this (the rate controller's allowance). */
const lagAllowanceMs = 50

type Pick = { bun?: FanoutResult; svc?: FanoutResult }
function pick(r: Pick & { quotes?: FanoutResult[] }): Pick {
  const ok = (r.quotes ?? []).filter((f) => f.status === 'ok')
  return { bun: ok.find((f) => f.kind === 'bun'), svc: ok.find((f) => f.kind === 'service') }
}

/** Server CPU µs per upstream event (a trade or one of its quotes) at the max rate. */
const usPerEvent = (f?: FanoutResult) =>
  f?.cpu && f.eventsPerSec ? round((f.cpu.server / (f.eventsPerSec * (1 + (f.quotes?.perTrade ?? 0)))) * 1e6, 3) : null

/** `bare Bun's max`, or `0.8× bare Bun's max` when the phase ran at a share of it (`--quotes-equal`). */
function equalRateLabel(bun?: FanoutResult): string {
  const share = ratio(bun?.equalRate?.tradesPerSecSet, bun?.eventsPerSec)
  return share === null || Math.abs(share - 1) < 0.02 ? "bare Bun's max" : `${fmt(share, 2)}× bare Bun's max`
}

/** Whether the service kept up at the equal rate: lag p99 within flush + 50 ms, no skipped trades, every tracked client on the latest quote. */
export function keptUp(f: FanoutResult): { ok: boolean; limit: number } {
  const e = f.equalRate!
  const limit = (f.flushMs ?? 0) + lagAllowanceMs
  return { ok: e.lag.p99 <= limit && e.skipped === 0 && e.latestQuote.latest === e.latestQuote.pairs, limit }
}

export function quotesTargets(r: Omit<Results, 'targets'>): TargetCheck[] {
  if (!r.quotes?.length) return []
  const { bun, svc } = pick(r)
  const n = svc?.clients ?? bun?.clients ?? 0
  const out: TargetCheck[] = []
  const msgs = ratio(svc?.deliveredPerSec, bun?.deliveredPerSec)
  out.push({
    target: `Quotes (5 per trade, ${fmt(n)} clients): delivered msg/s ≥ 0.7× bare Bun, each at its own max rate — measures conflation, not efficiency`,
    measured:
      msgs === null
        ? `bare Bun ${bun?.status ?? 'not run'}; service ${svc?.status ?? 'not run'}`
        : `${x(msgs)} (${fmt(svc!.deliveredPerSec)} vs ${fmt(bun!.deliveredPerSec)} msg/s) while absorbing ${x(ratio(svc!.eventsPerSec, bun!.eventsPerSec))} the upstream trades (${fmt(svc!.eventsPerSec)} vs ${fmt(bun!.eventsPerSec)}/s); ${pct(svc!.quotes?.conflatedAway)} of quotes conflated away`,
    status: msgs === null ? 'not run' : msgs >= 0.7 ? 'met' : 'missed',
  })
  const be = bun?.equalRate
  const se = svc?.equalRate
  const eff = ratio(se?.eventsPerCpuSec, be?.eventsPerCpuSec)
  const kept = svc && se ? keptUp(svc) : null
  out.push({
    target:
      `Quotes at an equal upstream rate (${equalRateLabel(bun)}${be ? `, ${fmt(be.tradesPerSecSet)} trades/s` : ''} + 5 quotes each): the service keeps up ` +
      `(lag p99 ≤ flush + ${lagAllowanceMs} ms, no upstream skips, every client ends on the latest quote) at ≤ ${fmt(1 / equalRateMinRatio, 2)}× ` +
      `bare Bun's server CPU, i.e. ≥ ${equalRateMinRatio}× its upstream events per CPU-second`,
    measured:
      eff === null || !se || !be || !kept
        ? `not measured: ${[!be && `bare Bun ${bun ? 'has no equal-rate phase (results from before it)' : 'not run'}`, !se && `service ${svc ? 'has no equal-rate phase' : 'not run'}`].filter(Boolean).join('; ')}`
        : `${x(eff)} events per CPU-second (${fmt(se.eventsPerCpuSec)} vs ${fmt(be.eventsPerCpuSec)}): ${fmt(se.cpu.server, 2)} vs ${fmt(be.cpu.server, 2)} server cores ` +
          `(${x(ratio(se.cpu.server, be.cpu.server))} the CPU); service lag p99 ${fmt(se.lag.p99, 1)} ms (limit ${kept.limit}), ${fmt(se.skipped)} skipped, ` +
          `latest quote ${fmt(se.latestQuote.latest)}/${fmt(se.latestQuote.pairs)} (bare: p99 ${fmt(be.lag.p99, 1)} ms, ${fmt(be.skipped)} skipped${be.serverEventsPerSec != null && be.serverEventsPerSec > 1.02 * (be.upstreamTradesPerSec + be.upstreamQuotesPerSec) ? ', working off backlog: credited with the events it handled' : ''}); ` +
          `delivered ${fmt(se.deliveredPerSec)} vs ${fmt(be.deliveredPerSec)} msg/s, ${pct(se.conflatedAway)} of quotes conflated away ` +
          `(per delivered message ${fmt(perDelivery(se), 2)} vs ${fmt(perDelivery(be), 2)} µs of server CPU: the saving is conflation's, not a cheaper message)`,
    status: eff === null || !kept ? 'not run' : kept.ok && eff >= equalRateMinRatio ? 'met' : 'missed',
  })
  return out
}

export function quotesSection(r: Results): string[] {
  if (!r.quotes?.length) return []
  const { bun } = pick(r)
  const L: string[] = ['', '### 1c. Fan-out with quotes (5 NBBO quotes per trade, clients on all four channels)', '']
  if (r.quotesRun)
    L.push(
      `From \`${r.quotesRun.command}\` on ${r.quotesRun.date} (a separate run; whole machine busy ${fmt(r.quotesRun.machineBusyCores, 2)} cores on average).`,
      '',
    )
  L.push(
    "Each at its own max sustained rate (the rate controller of workload 1): delivered messages measure the service's conflation, not its efficiency.",
    '',
    '| Target | Clients | Delivered msg/s | Msgs × bare Bun | Upstream trades/s | Trades × bare Bun | Upstream quotes/s | Quote msgs published/s | Quotes conflated away | Server cores | Server µs per upstream event | Lag p99 (ms) | CPU load gen / rest of machine |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  )
  for (const f of r.quotes)
    L.push(
      f.status === 'ok'
        ? `| ${f.target} | ${fmt(f.clients)} | ${fmt(f.deliveredPerSec)} | ${x(ratio(f.deliveredPerSec, bun?.deliveredPerSec))} | ${fmt(f.eventsPerSec)} | ${x(ratio(f.eventsPerSec, bun?.eventsPerSec))} | ${fmt(f.quotes?.upstreamPerSec)} | ${fmt(f.quotes?.publishedPerSec)} | ${pct(f.quotes?.conflatedAway)} | ${fmt(f.cpu?.server, 2)} | ${fmt(usPerEvent(f), 2)} | ${fmt(f.lagP99Ms, 1)} | ${fmt(f.cpu?.loadgen, 2)} / ${fmt(f.cpu?.others, 2)} |`
        : `| ${f.target} | ${fmt(f.clients)} | ${f.status}: ${f.note ?? ''} | | | | | | | | | | |`,
    )
  const equal = r.quotes.filter((f) => f.status === 'ok' && f.equalRate)
  if (equal.length === 0) return L
  const be = bun?.equalRate
  L.push(
    '',
    `Both at the same upstream rate, ${equalRateLabel(bun)} (${fmt(be?.tradesPerSecSet)} trades/s, fixed): what each server's CPU buys at equal load. ` +
      'Quote messages owed: bare Bun every quote of a subscribed symbol; the service one per subscribed symbol per flush window that held a quote. ' +
      "Latest quote held: after the upstream stopped, (client, symbol) pairs of one client per symbol block whose last quote is the upstream's last quote of that symbol. " +
      'Events per server CPU-second count what the server handled where it counts it (bare Bun: a server behind works off backlog), else what the upstream sent. ' +
      'Lag: upstream event time → receipt of trade and quote messages (for a conflated quote, how stale its latest quote is).',
    '',
    '| Target | Trades/s set | Upstream trades + quotes/s | Trades skipped | Delivered msg/s | Quote msgs published / owed per s | Quotes conflated away | Latest quote held | Server cores | Server µs per upstream event | Events per server CPU-s | × bare Bun | Lag p50 / p99 / p99.9 (ms) | CPU load gen / rest of machine |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  )
  for (const f of equal) {
    const e = f.equalRate!
    L.push(
      `| ${f.target} | ${fmt(e.tradesPerSecSet)} | ${fmt(e.upstreamTradesPerSec)} + ${fmt(e.upstreamQuotesPerSec)}${e.serverEventsPerSec != null ? ` (handled ${fmt(e.serverEventsPerSec)})` : ''} | ${fmt(e.skipped)} | ${fmt(e.deliveredPerSec)} | ${fmt(e.quotesPublishedPerSec)} / ${fmt(e.quotesOwedPerSec)} | ${pct(e.conflatedAway)} | ${fmt(e.latestQuote.latest)} / ${fmt(e.latestQuote.pairs)} | ${fmt(e.cpu.server, 2)} | ${fmt(e.cpuUsPerEvent, 2)} | ${fmt(e.eventsPerCpuSec)} | ${x(ratio(e.eventsPerCpuSec, be?.eventsPerCpuSec))} | ${fmt(e.lag.p50, 1)} / ${fmt(e.lag.p99, 1)} / ${fmt(e.lag.p999, 1)} | ${fmt(e.cpu.loadgen, 2)} / ${fmt(e.cpu.others, 2)} |`,
    )
  }
  return L
}
