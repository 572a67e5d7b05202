/** HttpMetrics: requests by method, route template and status, and latency by route; recorded once per response, read at scrape time. */
import { Histogram, type MetricFamily } from '../core/prometheus'

/** Latency buckets in seconds, 1 ms to 5 s. */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** The route label of requests that matched no route (404, 405, and bodies refused before routing). */
const unmatchedRoute = 'unmatched'

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/** One answered request as the HTTP edge saw it. */
export interface AnsweredRequest {
  method: string
  /** The matched route template (`/api/v1/watchlist/:ticker`), never the raw URL; undefined when none matched. */
  route: string | undefined
  status: number
  seconds: number
}

interface RequestCount {
  method: string
  route: string
  status: number
  count: number
}

/**
 * Label values are bounded: the route is a template or `unmatched`, unknown methods count as
 * `OTHER`, and statuses are the few the API answers with.
 */
export class HttpMetrics {
  private readonly requests = new Map<string, RequestCount>()
  private readonly latency = new Map<string, { method: string; route: string; histogram: Histogram }>()

  observe(r: AnsweredRequest): void {
    const method = knownMethods.has(r.method) ? r.method : 'OTHER'
    const route = r.route || unmatchedRoute
    const routeKey = `${method} ${route}`
    const key = `${routeKey} ${r.status}`
    const entry = this.requests.get(key)
    if (entry) entry.count++
    else this.requests.set(key, { method, route, status: r.status, count: 1 })
    let latency = this.latency.get(routeKey)
    if (latency === undefined)
      this.latency.set(routeKey, (latency = { method, route, histogram: new Histogram(latencyBuckets) }))
    latency.histogram.observe(r.seconds)
  }

  /** Requests answered for one method and route, by status (login outcomes are read from here). */
  byStatus(method: string, route: string): Map<number, number> {
    const out = new Map<number, number>()
    for (const r of this.requests.values())
      if (r.method === method && r.route === route) out.set(r.status, (out.get(r.status) ?? 0) + r.count)
    return out
  }

  families(): MetricFamily[] {
    return [
      {
        name: 'marketwatch_http_requests_total',
        help: 'HTTP requests answered, by method, route template and status code.',
        type: 'counter',
        samples: [...this.requests.values()].map((r) => ({
          labels: { method: r.method, route: r.route, status: String(r.status) },
          value: r.count,
        })),
      },
      {
        name: 'marketwatch_http_request_duration_seconds',
        help: 'Time from receiving a request to answering it, by method and route template.',
        type: 'histogram',
        series: [...this.latency.values()].map((l) => ({
          labels: { method: l.method, route: l.route },
          histogram: l.histogram,
        })),
      },
    ]
  }
}
