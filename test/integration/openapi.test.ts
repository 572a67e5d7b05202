/** /docs/json over a real socket: valid OpenAPI 3.x for third-party tools, and true to what the server accepts and answers (auth, media types, bodiless 204s). */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import type { App } from '../../src/app'
import { startApp } from '../support/harness'

type Doc = Record<string, any>
type Spec = Parameters<Validator['validate']>[0]
const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']
const pathItemFields = ['summary', 'description', 'servers', 'parameters', '$ref']
/** Operations anyone may call; logout takes a token when there is one. */
const publicOps = ['POST /api/v1/auth/register', 'POST /api/v1/auth/login', 'GET /healthz', 'GET /readyz']
const optionalAuthOps = ['POST /api/v1/auth/logout']

const operations = (doc: Doc) =>
  Object.entries(doc.paths as Doc).flatMap(([path, item]) =>
    Object.entries(item as Doc)
      .filter(([m]) => httpMethods.includes(m))
      .map(([method, op]) => ({ path, method, op: op as Doc, id: `${method.toUpperCase()} ${path}` })),
  )

/** Every `$id` anywhere in the document. */
function ids(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => ids(n, out))
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) k === '$id' && typeof v === 'string' ? out.push(v) : ids(v, out)
  return out
}

/** A value the schema's own example gives, or one that passes the loose validation (the parser may still refuse it). */
function sample(schema: Doc | undefined, doc: Doc): unknown {
  if (!schema) return 'x'
  if (schema.$ref) return sample(doc.components.schemas[schema.$ref.split('/').pop()], doc)
  if (schema.examples?.length) return schema.examples[0]
  if (schema.type === 'object')
    return Object.fromEntries(Object.entries((schema.properties ?? {}) as Doc).map(([k, s]) => [k, sample(s, doc)]))
  if (schema.enum) return schema.enum[0]
  return schema.type === 'integer' || schema.type === 'number' ? (schema.minimum ?? 1) : 'x'
}

/** The URL of an operation with its path parameters filled from their examples. */
function urlOf(base: string, path: string, op: Doc, doc: Doc): string {
  let out = path
  for (const p of op.parameters ?? [])
    if (p.in === 'path') out = out.replace(`{${p.name}}`, encodeURIComponent(String(sample(p.schema, doc))))
  return base + out
}

async function loadDocument(app: App): Promise<{ url: string; doc: Doc }> {
  const { url } = await app.listen()
  const res = await fetch(`${url}/docs/json`)
  expect(res.status).toBe(200)
  return { url, doc: (await res.json()) as Doc }
}

describe('OpenAPI document', () => {
  let app: App
  let url: string
  let doc: Doc
  beforeAll(async () => {
    app = await startApp()
    ;({ url, doc } = await loadDocument(app))
  })
  afterAll(() => app.stop())

  it('should validate as OpenAPI 3.x with no errors', async () => {
    expect(doc.openapi).toMatch(/^3\.[01]\./)
    const result = await new Validator().validate(doc as Spec)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('should hold no $id with a fragment and no pseudo-methods', () => {
    expect(ids(doc).filter((id) => id.includes('#'))).toEqual([])
    for (const item of Object.values(doc.paths as Doc))
      for (const key of Object.keys(item)) expect([...httpMethods, ...pathItemFields]).toContain(key)
    expect(Object.keys(doc.paths)).not.toContain('/api/v1/market-data/stream')
  })

  it('should offer only application/json request bodies', () => {
    const withBody = operations(doc).filter((o) => o.op.requestBody)
    expect(withBody.map((o) => o.id).sort()).toEqual([
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/register',
      'POST /api/v1/watchlist',
    ])
    for (const { op } of withBody) expect(Object.keys(op.requestBody.content)).toEqual(['application/json'])
  })

  it('should mark public routes security: [] and require a token everywhere else', () => {
    const ops = operations(doc)
    for (const id of [...publicOps, 'GET /metrics']) expect(ops.find((o) => o.id === id)?.op.security).toEqual([])
    expect(ops.find((o) => o.id === optionalAuthOps[0])?.op.security).toContainEqual({})
    const protectedOps = ops.filter(
      (o) => !publicOps.includes(o.id) && !optionalAuthOps.includes(o.id) && o.path !== '/metrics',
    )
    expect(protectedOps.length).toBeGreaterThan(8)
    for (const { op } of protectedOps) {
      const security = op.security ?? doc.security
      expect(security).toContainEqual({ bearer: [] })
      expect(security).not.toContainEqual({})
    }
  })

  it('should describe 204 answers without content', () => {
    const noContent = operations(doc).flatMap((o) => (o.op.responses?.['204'] ? [o.op.responses['204']] : []))
    expect(noContent.length).toBeGreaterThan(0)
    for (const r of noContent) expect(r.content).toBeUndefined()
  })

  it('should state what the parsers accept in query and path parameters', () => {
    const param = (id: string, name: string) =>
      operations(doc)
        .find((o) => o.id === id)!
        .op.parameters.find((p: Doc) => p.name === name)
    expect(param('GET /api/v1/market-data/bars', 'timespan').schema.enum).toEqual([
      'minute',
      'hour',
      'day',
      'week',
      'month',
    ])
    expect(param('GET /api/v1/market-data/bars', 'limit').schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 10_000,
    })
    expect(param('GET /api/v1/market-data/bars', 'ticker').schema.pattern).toBeString()
    expect(param('GET /api/v1/market-data/snapshots', 'tickers')).toMatchObject({ required: true, explode: true })
    expect(param('GET /api/v1/options/chain', 'underlying').required).toBe(true)
    expect(param('GET /api/v1/reference/tickers', 'search')).toMatchObject({ required: true })
    expect(param('GET /api/v1/reference/tickers', 'limit').schema).toMatchObject({ type: 'integer', maximum: 50 })
    expect(param('GET /api/v1/options/contracts/{option_ticker}', 'option_ticker').schema.type).toBe('string')
    expect(JSON.stringify(doc.paths)).not.toContain('x-parser-')
  })

  it('should answer 401 with the envelope on every protected operation called without a token, as documented', async () => {
    const checked: string[] = []
    for (const { path, method, op, id } of operations(doc)) {
      if (publicOps.includes(id) || optionalAuthOps.includes(id) || path === '/metrics') continue
      const body = op.requestBody
        ? JSON.stringify(sample(op.requestBody.content['application/json'].schema, doc))
        : undefined
      const res = await fetch(urlOf(url, path, op, doc), {
        method: method.toUpperCase(),
        headers: body ? { 'content-type': 'application/json' } : {},
        body,
      })
      expect({ id, status: res.status }).toEqual({ id, status: 401 })
      expect(((await res.json()) as Doc).error.code).toBe('AUTH_REQUIRED')
      expect(Object.keys(op.responses)).toContain('401')
      checked.push(id)
    }
    expect(checked.length).toBeGreaterThan(8)
  })

  it('should answer a form body with 415 on every POST, which the document lists and never offers', async () => {
    for (const { path, method, op, id } of operations(doc)) {
      if (method !== 'post') continue
      const res = await fetch(urlOf(url, path, op, doc), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=a%40b.co&password=correct+horse',
      })
      expect({ id, status: res.status }).toEqual({ id, status: 415 })
      expect(((await res.json()) as Doc).error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
      expect(Object.keys(op.responses)).toContain('415')
      expect(Object.keys(op.requestBody?.content ?? {})).not.toContain('application/x-www-form-urlencoded')
      expect(Object.keys(op.requestBody?.content ?? {})).not.toContain('multipart/form-data')
    }
  })
})

describe('OpenAPI document with METRICS_TOKEN', () => {
  it('should require the metrics token on /metrics, and 401 without it', async () => {
    const app = await startApp({ METRICS_TOKEN: 'metrics-secret-0123456789' })
    try {
      const { url, doc } = await loadDocument(app)
      const op = doc.paths['/metrics'].get
      expect(op.security).toEqual([{ metricsToken: [] }])
      const res = await fetch(`${url}/metrics`)
      expect(res.status).toBe(401)
      expect(Object.keys(op.responses)).toContain('401')
      expect((await new Validator().validate(doc as Spec)).valid).toBe(true)
    } finally {
      await app.stop()
    }
  })
})
