/** Liveness and readiness probes. */
import { Elysia, t } from 'elysia'
import { errors } from '../../model'

export interface ReadinessCheck {
  name: string
  check(): Promise<void>
}

export function createSystemRoutes(checks: ReadinessCheck[]) {
  return new Elysia({ tags: ['system'] })
    .get('/healthz', () => ({ status: 'ok' as const }), {
      response: { 200: t.Object({ status: t.Literal('ok') }) },
      detail: { summary: 'Alive: the process answers', security: [] },
    })
    .get(
      '/readyz',
      async ({ set }) => {
        const results = await Promise.all(
          checks.map(async (c) => {
            try {
              await Promise.race([c.check(), Bun.sleep(2000).then(() => Promise.reject(new Error('timeout')))])
              return [c.name, 'ok'] as const
            } catch {
              return [c.name, 'failing'] as const
            }
          }),
        )
        const ready = results.every(([, s]) => s === 'ok')
        if (!ready) set.status = 503
        return { status: ready ? ('ready' as const) : ('not_ready' as const), checks: Object.fromEntries(results) }
      },
      {
        response: {
          200: t.Object({
            status: t.Union([t.Literal('ready'), t.Literal('not_ready')]),
            checks: t.Record(t.String(), t.String()),
          }),
          503: t.Object({
            status: t.Union([t.Literal('ready'), t.Literal('not_ready')]),
            checks: t.Record(t.String(), t.String()),
          }),
          ...errors(500),
        },
        detail: {
          summary: 'Ready: the database answers, the bus delivers, and the process is below its stream cap',
          description:
            'One entry per check (database, stream_capacity, bus): "ok" or "failing"; any failing one answers 503 not_ready. The bus check fails while messages between replicas may be lost: Redis away, re-subscribing, or the bus canary not back within its bound.',
          security: [],
        },
      },
    )
}
