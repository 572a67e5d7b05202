/** The families GET /metrics serves (process, HTTP, auth, rate limits, stream, upstream, bus), read from their owners at scrape time. */
import type { SemaphoreStats } from '../../../core/bounded-semaphore'
import type { MetricFamily } from '../../../core/prometheus'
import type { Bus, BusStats } from '../../../ports/bus'
import type { UpstreamRest, UpstreamStatus } from '../../../ports/upstream'
import type { StreamModule } from '../../../stream/stream-module'
import type { HttpMetrics } from '../../http-metrics'
import type { RestRateLimits } from '../../rate-limit-plugin'
import type { BarsService, BarsStats } from '../../../services/bars-service'
import type { SplitsService, SplitsStatus } from '../../../services/splits-service'
import { counter, gauge, labelled, oneOf } from './family-builders'
import { streamFamilies } from './stream-families'

export interface MetricSources {
  http: HttpMetrics
  stream: Pick<StreamModule, 'status' | 'counters'>
  bus: Pick<Bus, 'stats' | 'health'>
  upstreamRest: Pick<UpstreamRest, 'status'>
  bars: Pick<BarsService, 'stats'>
  splits: Pick<SplitsService, 'status'>
  rateLimits: Pick<RestRateLimits, 'refusals'>
  hashGate: { stats(): SemaphoreStats }
}

/** The login route as the HTTP metrics record it; its statuses are the login outcomes. */
const loginRoute = '/api/v1/auth/login'
/** The registration route: its 429s are REGISTRATION_THROTTLED. */
const registerRoute = '/api/v1/auth/register'
const restHealths = ['ok', 'degraded', 'down']

/** Every family, in exposition order; `openWebSockets` is Bun's count (null when not listening). */
export function collectFamilies(s: MetricSources, openWebSockets: number | null): MetricFamily[] {
  const stream = s.stream.status()
  const rest = s.upstreamRest.status()
  const info = { node_id: stream.nodeId, upstream: rest.name }
  return [
    gauge('marketwatch_node_info', 'This replica: its bus node id and upstream kind (always 1).', [
      { labels: info, value: 1 },
    ]),
    ...processFamilies(openWebSockets),
    ...s.http.families(),
    loginFamily(s.http),
    ...limitFamilies(s),
    ...streamFamilies(stream, s.stream.counters()),
    ...upstreamFamilies(rest, s.bars.stats(), s.splits.status()),
    ...busFamilies(s.bus),
  ]
}

function processFamilies(openWebSockets: number | null): MetricFamily[] {
  const memory = process.memoryUsage()
  const cpu = process.cpuUsage()
  return [
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', memory.rss),
    gauge('process_heap_used_bytes', 'JavaScript heap in use, in bytes.', memory.heapUsed),
    counter('process_cpu_seconds_total', 'User and system CPU time spent, in seconds.', (cpu.user + cpu.system) / 1e6),
    gauge(
      'process_start_time_seconds',
      'Start time of the process since the Unix epoch, in seconds.',
      performance.timeOrigin / 1000,
    ),
    gauge('process_uptime_seconds', 'Seconds since the process started.', process.uptime()),
    gauge(
      'process_open_websockets',
      'WebSockets open on the Bun server (admitted or being refused).',
      openWebSockets ?? 0,
    ),
  ]
}

function loginFamily(http: HttpMetrics): MetricFamily {
  const outcomes = new Map<string, number>([
    ['ok', 0],
    ['invalid', 0],
    ['throttled', 0],
    ['error', 0],
  ])
  for (const [status, count] of http.byStatus('POST', loginRoute)) {
    const outcome = status === 200 ? 'ok' : status === 401 ? 'invalid' : status === 429 ? 'throttled' : 'error'
    outcomes.set(outcome, outcomes.get(outcome)! + count)
  }
  return counter(
    'marketwatch_auth_logins_total',
    'Sign-in attempts by outcome: ok, invalid (wrong email or password), throttled (429), error (anything else).',
    labelled(outcomes, (outcome) => ({ outcome })),
  )
}

function limitFamilies(s: MetricSources): MetricFamily[] {
  const refused = s.rateLimits.refusals()
  let registrations = 0
  for (const [status, count] of s.http.byStatus('POST', registerRoute)) if (status === 429) registrations += count
  const hashes = s.hashGate.stats()
  return [
    counter(
      'marketwatch_rate_limited_total',
      'Requests refused with 429 by a rate limit: market and rest are the per-user REST budgets (RATE_LIMITED), register the per-address registration limit (REGISTRATION_THROTTLED).',
      [
        { labels: { limit: 'market' }, value: refused.market },
        { labels: { limit: 'rest' }, value: refused.rest },
        { labels: { limit: 'register' }, value: registrations },
      ],
    ),
    gauge('marketwatch_password_hashes', 'argon2id hashes and verifies running, and waiting in the queue.', [
      { labels: { state: 'running' }, value: hashes.running },
      { labels: { state: 'queued' }, value: hashes.queued },
    ]),
    counter(
      'marketwatch_password_hashes_refused_total',
      'Sign-ups and sign-ins refused with 503 SERVER_BUSY because the password-hashing queue was full.',
      hashes.refused,
    ),
  ]
}

function upstreamFamilies(rest: UpstreamStatus, bars: BarsStats, splits: SplitsStatus): MetricFamily[] {
  const families = [
    gauge(
      'marketwatch_upstream_rest_health',
      'Health of the upstream REST API (1 on the current value).',
      oneOf('health', rest.health, restHealths),
    ),
    counter(
      'marketwatch_upstream_rest_requests_total',
      'Upstream REST calls made (retries and pages included).',
      rest.requests,
    ),
    counter(
      'marketwatch_upstream_rest_responses_total',
      'Finished upstream REST calls by outcome: HTTP status code, timeout or network.',
      labelled(Object.entries(rest.outcomes ?? {}), (outcome) => ({ outcome })),
    ),
    counter('marketwatch_bars_pages_total', 'Bars pages answered, by source: page_cache (kept JSON) or query.', [
      { labels: { source: 'page_cache' }, value: bars.pagesFromCache },
      { labels: { source: 'query' }, value: bars.pagesQueried },
    ]),
    counter(
      'marketwatch_bars_upstream_fetches_total',
      'Bars fetched from the upstream, by kind: gap (stored once) or tail (still forming).',
      [
        { labels: { kind: 'gap' }, value: bars.upstreamGapFetches },
        { labels: { kind: 'tail' }, value: bars.upstreamTailFetches },
      ],
    ),
    counter(
      'marketwatch_splits_applied_total',
      'Splits this replica applied, by source: reference or bars (not listed).',
      [
        { labels: { source: 'reference' }, value: splits.applied - splits.noticedInBars },
        { labels: { source: 'bars' }, value: splits.noticedInBars },
      ],
    ),
  ]
  if (rest.budget.remaining !== null)
    families.push(
      gauge(
        'marketwatch_upstream_rest_budget_remaining',
        'Upstream REST calls left in the current budget window.',
        rest.budget.remaining,
      ),
    )
  return families
}

function busFamilies(bus: MetricSources['bus']): MetricFamily[] {
  const stats = bus.stats()
  return [
    counter('marketwatch_bus_messages_published_total', 'Messages handed to the bus transport.', stats.published),
    counter(
      'marketwatch_bus_messages_delivered_total',
      'Messages from other replicas delivered to a local handler.',
      stats.delivered,
    ),
    counter(
      'marketwatch_bus_messages_dropped_total',
      'Bus messages given up on (outage beyond the bounded queue, backlog).',
      stats.dropped,
    ),
    gauge('marketwatch_bus_healthy', '1 while the bus is ok, 0 while degraded.', bus.health().state === 'ok' ? 1 : 0),
    ...canaryFamilies(stats.canary),
  ]
}

/** The canary a Redis bus sends itself to prove delivery (none on the in-memory bus). */
function canaryFamilies(canary: BusStats['canary']): MetricFamily[] {
  if (canary === undefined) return []
  const families = [
    counter(
      'marketwatch_bus_canary_sent_total',
      'Delivery canaries this replica published to itself on the bus.',
      canary.sent,
    ),
    counter(
      'marketwatch_bus_canary_returned_total',
      'Delivery canaries that came back within the bound.',
      canary.returned,
    ),
    counter(
      'marketwatch_bus_canary_missed_total',
      'Delivery canaries not back within the bound (delivery stalled though the connections looked up).',
      canary.missed,
    ),
  ]
  if (canary.lastRoundTripMs !== null)
    families.push(
      gauge(
        'marketwatch_bus_canary_round_trip_seconds',
        'Round trip of the last delivery canary that came back (publish to delivery on this replica).',
        canary.lastRoundTripMs / 1000,
      ),
    )
  return families
}
