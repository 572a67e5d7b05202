/** The HTTP edge for failures: request ids, size limits (URL, headers, bodies declared or streamed), JSON 404/405, the one mapping from errors to the error envelope, and each answer's status and time (log, metrics). */
import { Elysia, StatusMap } from 'elysia'
import { AppError } from '../errors'
import type { Logger } from '../ports/logger'
import type { AnsweredRequest } from './http-metrics'
import { oversizedHead, payloadTooLarge, readJsonBody } from './request-limits'

export interface ErrorPluginOptions {
  log: Logger
  maxBodyBytes: number
  /** Method+path patterns of every route, for telling 405 from 404. */
  routes: () => { method: string; path: string }[]
  /** Called once per answered request (metrics). */
  answered?: (r: AnsweredRequest) => void
}

const requestIds = new WeakMap<Request, string>()
const startTimes = new WeakMap<Request, number>()
const idPattern = /^[\w.-]{1,64}$/

export const requestIdOf = (req: Request): string => requestIds.get(req) ?? 'unknown'

type Envelope = { error: { code: string; message: string; details?: Record<string, unknown>; request_id: string } }

function envelope(req: Request, code: string, message: string, details?: Record<string, unknown>): Envelope {
  return { error: { code, message, ...(details ? { details } : {}), request_id: requestIdOf(req) } }
}

function json(body: Envelope, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': body.error.request_id, ...headers },
  })
}

function allowedMethods(routes: { method: string; path: string }[], path: string): string[] {
  const out = new Set<string>()
  for (const r of routes) {
    if (r.method === 'WS' || r.method === 'ALL') continue
    const pattern = new RegExp(
      '^' +
        r.path
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/:[^/]+/g, '[^/]+')
          .replace(/\*/g, '.*') +
        '$',
    )
    if (pattern.test(path)) out.add(r.method)
  }
  return [...out]
}

/** Elysia's own codes mapped to ours; AppError carries its own. */
function translate(
  code: string | number,
  error: unknown,
): { status: number; code: string; message: string; details?: Record<string, unknown> } {
  // The body parser's own refusals (413 while reading, MALFORMED_BODY) reach here wrapped in Elysia's ParseError.
  if (code === 'PARSE' && (error as Error)?.cause instanceof AppError) error = (error as Error).cause
  if (error instanceof AppError)
    return { status: error.status, code: error.code, message: error.message, details: error.details }
  switch (code) {
    case 'PARSE':
      return { status: 400, code: 'MALFORMED_BODY', message: 'request body is not valid JSON' }
    case 'VALIDATION': {
      const e = error as { all?: { path?: string; summary?: string; message?: string }[] }
      const fields = (e.all ?? [])
        .slice(0, 10)
        .map((x) => ({ field: x.path ?? '', problem: x.summary ?? x.message ?? '' }))
      return { status: 400, code: 'INVALID_REQUEST', message: 'request does not match the schema', details: { fields } }
    }
    case 'INVALID_COOKIE_SIGNATURE':
      return { status: 400, code: 'INVALID_COOKIE', message: 'cookie is invalid' }
    default:
      return { status: 500, code: 'INTERNAL_ERROR', message: 'internal error; quote the request id when reporting it' }
  }
}

export function createErrorPlugin(opts: ErrorPluginOptions) {
  const elapsedSec = (req: Request) => (performance.now() - (startTimes.get(req) ?? performance.now())) / 1000
  // Refusals before routing never reach onAfterResponse.
  const refuse = (req: Request, res: Response) => {
    opts.answered?.({ method: req.method, route: undefined, status: res.status, seconds: elapsedSec(req) })
    return res
  }
  return new Elysia({ name: 'error-plugin' })
    .onRequest(({ request, set }) => {
      const incoming = request.headers.get('x-request-id')
      const id = incoming && idPattern.test(incoming) ? incoming : crypto.randomUUID()
      requestIds.set(request, id)
      startTimes.set(request, performance.now())
      set.headers['x-request-id'] = id
      const head = oversizedHead(request)
      if (head) return refuse(request, json(envelope(request, head.code, head.message, head.details), head.status))
      const length = Number(request.headers.get('content-length') ?? 0)
      if (length > opts.maxBodyBytes) {
        const e = payloadTooLarge(opts.maxBodyBytes)
        // Closing stops Bun from reading (and discarding) the rest of the declared body.
        return refuse(request, json(envelope(request, e.code, e.message, e.details), 413, { connection: 'close' }))
      }
      // Every request body this API takes is JSON; anything else is refused before parsing.
      const hasBody = length > 0 || request.body !== null
      if (hasBody && !/^application\/json\b/i.test(request.headers.get('content-type') ?? ''))
        return refuse(
          request,
          json(envelope(request, 'UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json'), 415),
        )
    })
    .onParse({ as: 'global' }, ({ request }) =>
      // Every body is read here, bounded: a chunked body has no length to check in advance.
      readJsonBody(request, opts.maxBodyBytes),
    )
    .onAfterResponse({ as: 'global' }, (ctx) => {
      const { request, set } = ctx
      const seconds = elapsedSec(request)
      const returned = (ctx as { responseValue?: unknown }).responseValue
      const status =
        returned instanceof Response
          ? returned.status
          : typeof set.status === 'number'
            ? set.status
            : (StatusMap[set.status as keyof typeof StatusMap] ?? 200)
      opts.answered?.({ method: request.method, route: (ctx as { route?: string }).route, status, seconds })
      opts.log.debug('request', {
        method: request.method,
        path: new URL(request.url).pathname,
        status,
        ms: Math.round(seconds * 10_000) / 10,
        request_id: requestIdOf(request),
      })
    })
    .onError({ as: 'global' }, ({ code, error, request, set }) => {
      if (code === 'NOT_FOUND') {
        const path = new URL(request.url).pathname
        const allow = allowedMethods(opts.routes(), path)
        set.status = allow.length > 0 ? 405 : 404
        if (allow.length > 0)
          return json(
            envelope(request, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here`, { allow }),
            405,
            {
              allow: allow.join(', '),
            },
          )
        return json(envelope(request, 'NOT_FOUND', `no route for ${request.method} ${path}`), 404)
      }
      const t = translate(code, error)
      if (t.status >= 500 && !(error instanceof AppError))
        opts.log.error('unhandled error', {
          request_id: requestIdOf(request),
          error: String((error as Error)?.stack ?? error),
        })
      set.status = t.status
      const headers: Record<string, string> = {}
      if (error instanceof AppError && error.retryAfterSec !== undefined)
        headers['retry-after'] = String(error.retryAfterSec)
      if (t.status === 413) headers.connection = 'close'
      return json(envelope(request, t.code, t.message, t.details), t.status, headers)
    })
}
