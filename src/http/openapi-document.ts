/** finishOpenApiDocument: what @elysiajs/openapi cannot be told, applied to /docs/json — bodiless 204s, parser rules, the edge's own refusals, the error envelope as one $ref. */
import { Elysia } from 'elysia'
import { parserAcceptsKey, parserRequiresKey, type JsonSchema } from './model'

type Doc = Record<string, any>

/** Keywords of the loose schema kept when a parser's rule replaces it. */
const annotations = ['title', 'description', 'examples', 'default', 'deprecated']
const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** Refusals the edge answers before any route runs (error-plugin, request-limits), whatever the operation: a body is refused even where none is taken. */
const edgeRefusals: { status: string; code: string }[] = [
  { status: '413', code: 'PAYLOAD_TOO_LARGE' },
  { status: '414', code: 'URI_TOO_LONG' },
  { status: '415', code: 'UNSUPPORTED_MEDIA_TYPE' },
  { status: '431', code: 'REQUEST_HEADER_TOO_LARGE' },
]

/** A copy of the generated document, made valid OpenAPI 3.1 and true to what the server accepts and answers. */
export function finishOpenApiDocument(generated: Doc): Doc {
  const doc = structuredClone(generated)
  const shared = Object.entries((doc.components?.schemas ?? {}) as Record<string, JsonSchema>).map(
    ([name, schema]) => ({ ref: `#/components/schemas/${name}`, json: JSON.stringify(schema) }),
  )
  for (const item of Object.values(doc.paths ?? {}) as Doc[])
    for (const method of Object.keys(item)) {
      // Elysia lists WebSocket routes under a 'ws' pseudo-method; OpenAPI knows none.
      if (!methods.includes(method)) {
        delete item[method]
        continue
      }
      const op = item[method] as Doc
      for (const p of op.parameters ?? []) {
        if (p.schema?.[parserRequiresKey]) p.required = true
        if (p.schema?.[parserAcceptsKey] && 'items' in p.schema[parserAcceptsKey]) {
          // A list parameter: repeated (tickers=A&tickers=B) or one value; each value may itself be a list.
          p.style = 'form'
          p.explode = true
        }
      }
      for (const [status, response] of Object.entries((op.responses ?? {}) as Doc)) {
        // The plugin writes `content: {type: 'void'}` for t.Void: a 204 (or any bodiless answer) has no content.
        if (status === '204' || (response.content && !Object.keys(response.content).some((k) => k.includes('/'))))
          delete response.content
      }
      for (const r of edgeRefusals) {
        op.responses ??= {}
        op.responses[r.status] ??= {
          description: `${r.code}: refused at the edge before the route runs`,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        }
      }
    }
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Doc))
    if (Object.keys(item).length === 0) delete doc.paths[path]
  return mapSchemas(doc, (schema) => {
    const accepts = schema[parserAcceptsKey] as JsonSchema | undefined
    if (accepts) {
      const kept = Object.fromEntries(annotations.filter((k) => k in schema).map((k) => [k, schema[k]]))
      schema = { ...kept, ...accepts }
    }
    delete schema[parserRequiresKey]
    const json = JSON.stringify(schema)
    const same = shared.find((s) => s.json === json)
    return same ? { $ref: same.ref } : schema
  })
}

const schemaMaps = ['properties', 'patternProperties', '$defs', 'dependentSchemas']
const schemaLists = ['allOf', 'anyOf', 'oneOf', 'prefixItems']
const subschemas = ['items', 'additionalProperties', 'unevaluatedProperties', 'not', 'if', 'then', 'else', 'contains']

/** Every schema under a `schema` key of the document (parameters, bodies, responses) through `visit`, innermost first; components stay as they are. */
function mapSchemas(node: any, visit: (schema: JsonSchema) => JsonSchema): any {
  if (Array.isArray(node)) return node.map((n) => mapSchemas(n, visit))
  if (node === null || typeof node !== 'object') return node
  const out: Doc = {}
  for (const [k, v] of Object.entries(node))
    out[k] = k === 'components' ? v : k === 'schema' ? mapSchema(v as JsonSchema, visit) : mapSchemas(v, visit)
  return out
}

function mapSchema(schema: JsonSchema, visit: (schema: JsonSchema) => JsonSchema): JsonSchema {
  if (schema === null || typeof schema !== 'object') return schema
  const out: Doc = { ...schema }
  for (const k of schemaMaps)
    if (out[k] && typeof out[k] === 'object')
      out[k] = Object.fromEntries(Object.entries(out[k]).map(([n, s]) => [n, mapSchema(s as JsonSchema, visit)]))
  for (const k of schemaLists) if (Array.isArray(out[k])) out[k] = out[k].map((s: JsonSchema) => mapSchema(s, visit))
  for (const k of subschemas) if (out[k] && typeof out[k] === 'object') out[k] = mapSchema(out[k], visit)
  return visit(out)
}

/** Serves every answer of the route at `specPath` (the plugin's document) through finishOpenApiDocument. */
export function openApiDocumentFinisher(specPath: string) {
  const finished = new WeakMap<object, Doc>()
  return new Elysia({ name: 'openapi-document-finisher' }).onAfterHandle({ as: 'global' }, (ctx) => {
    const value = (ctx as { responseValue?: unknown }).responseValue
    if (ctx.path !== specPath || value === null || typeof value !== 'object' || value instanceof Response) return
    let doc = finished.get(value)
    if (!doc) finished.set(value, (doc = finishOpenApiDocument(value as Doc)))
    return doc
  })
}
