/** Query parameters sent more than once where the route takes one value: 400 INVALID_REQUEST naming them, instead of Elysia keeping the last one silently. */
import { Elysia } from 'elysia'
import { ValidationError } from '../errors'

interface RouteSchemas {
  method: string
  path: string
  hooks?: { query?: unknown }
}

type JsonSchemaish = { type?: string; anyOf?: JsonSchemaish[]; properties?: Record<string, JsonSchemaish> }

const takesSeveral = (s: JsonSchemaish | undefined): boolean =>
  s !== undefined && (s.type === 'array' || (s.anyOf ?? []).some(takesSeveral))

/** For each route with a query schema, its single-valued parameters (the ones a repeat would make ambiguous). */
function singleValuedParams(routes: RouteSchemas[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const r of routes) {
    const properties = (r.hooks?.query as JsonSchemaish | undefined)?.properties
    if (!properties) continue
    const single = Object.entries(properties)
      .filter(([, s]) => !takesSeveral(s))
      .map(([name]) => name)
    out.set(`${r.method} ${r.path}`, new Set(single))
  }
  return out
}

/**
 * `?timespan=minute&timespan=hour` answered hour bars and `?everywhere=true&everywhere=false` signed
 * out one session: whatever read the first value (a proxy, a log, the caller) disagreed with us.
 * A parameter the schema types as one value, given more than once, is refused before validation;
 * list parameters (`tickers`) and parameters no schema names are left alone.
 */
export function createRepeatedParamsGuard(routes: () => RouteSchemas[]) {
  let single: Map<string, Set<string>> | null = null
  return new Elysia({ name: 'repeated-params' }).onTransform({ as: 'global' }, ({ request, route }) => {
    const at = request.url.indexOf('?')
    if (at < 0) return
    single ??= singleValuedParams(routes())
    const names = single.get(`${request.method === 'HEAD' ? 'GET' : request.method} ${route}`)
    if (!names) return
    const counts = new Map<string, number>()
    for (const [name] of new URLSearchParams(request.url.slice(at + 1)))
      if (names.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1)
    const fields = [...counts]
      .filter(([, n]) => n > 1)
      .map(([name, n]) => ({ field: `/${name}`, problem: `given ${n} times; send it once` }))
    if (fields.length > 0) throw new ValidationError('INVALID_REQUEST', 'request does not match the schema', { fields })
  })
}
