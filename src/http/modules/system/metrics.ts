/** GET /metrics: this replica's Prometheus exposition; behind METRICS_TOKEN when set, open in development and test, absent in production without a token. */
import { createHash, timingSafeEqual } from 'node:crypto'
import { Elysia, t } from 'elysia'
import { prometheusContentType, renderExposition } from '../../../core/prometheus'
import { AuthError } from '../../../errors'
import { errors } from '../../model'
import { collectFamilies, type MetricSources } from './metric-families'

export type MetricsAccess = { kind: 'open' } | { kind: 'token'; token: string } | { kind: 'off' }

/** METRICS_TOKEN set: a bearer token is required. Unset: open in development and test; no route in production. */
export function metricsAccess(mode: 'development' | 'test' | 'production', token: string | null): MetricsAccess {
  if (token !== null) return { kind: 'token', token }
  return mode === 'production' ? { kind: 'off' } : { kind: 'open' }
}

export function createMetricsRoutes(access: MetricsAccess, sources: MetricSources) {
  const routes = new Elysia({ tags: ['system'] })
  if (access.kind === 'off') return routes
  const expected = access.kind === 'token' ? digest(access.token) : null
  return routes.get(
    '/metrics',
    ({ request, server }) => {
      if (expected !== null) checkBearer(request.headers.get('authorization'), expected)
      const text = renderExposition(collectFamilies(sources, server?.pendingWebSockets ?? null))
      return new Response(text, { headers: { 'content-type': prometheusContentType, 'cache-control': 'no-store' } })
    },
    {
      response: { 200: t.String({ description: 'Prometheus text exposition format 0.0.4' }), ...errors(401) },
      detail: {
        summary: 'Prometheus metrics of this replica',
        description:
          'Process, HTTP, stream, upstream, bus and sign-in metrics in the Prometheus text format (0.0.4); see docs/metrics.md. With METRICS_TOKEN set it needs `Authorization: Bearer <METRICS_TOKEN>` (401 AUTH_REQUIRED or TOKEN_INVALID otherwise); without it, it is open in development and test and absent (404) in production. Never a user JWT.',
        security: access.kind === 'token' ? [{ metricsToken: [] }] : [],
      },
    },
  )
}

function checkBearer(header: string | null, expected: Buffer): void {
  const m = header === null ? null : /^Bearer\s+(\S+)$/i.exec(header)
  if (m === null) throw new AuthError('AUTH_REQUIRED', 'send Authorization: Bearer <METRICS_TOKEN>')
  // Digests have one length, so the comparison takes the same time whatever was sent.
  if (!timingSafeEqual(digest(m[1]), expected)) throw new AuthError('TOKEN_INVALID', 'the metrics token is not valid')
}

const digest = (token: string) => createHash('sha256').update(token).digest()
