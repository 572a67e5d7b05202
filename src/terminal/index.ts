/** The /terminal page as an Elysia module: the HTML shell and its hashed assets, served from memory, compressed (brotli or gzip) and with cache validators. */
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib'
import { Elysia } from 'elysia'
import type { TerminalBundle } from './build'
import { embeddedTerminalBundle } from './embedded' with { type: 'macro' }

export type { TerminalBundle } from './build'

/** Built when this file is transpiled; inlined into a compiled binary. */
const embedded: TerminalBundle = embeddedTerminalBundle()

export interface TerminalRoutesOptions {
  /** The page to serve. @default the bundle built at transpile time (see embedded.ts) */
  bundle?: TerminalBundle
}

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}

/** GET /terminal (no-cache HTML) and GET /terminal/assets/* (immutable, content-hashed JS and CSS), compressed and revalidated. */
export function createTerminalRoutes(options: TerminalRoutesOptions = {}) {
  const b = options.bundle ?? embedded
  // Built once: the bundle does not change while the process runs.
  const lastModified = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString()
  const page = staticFile(b.html, 'text/html; charset=utf-8', 'no-cache', lastModified, securityHeaders)
  const nosniff = { 'x-content-type-options': 'nosniff' }
  const immutable = 'public, max-age=31536000, immutable'
  const js = staticFile(b.js, 'text/javascript; charset=utf-8', immutable, lastModified, nosniff)
  const css = staticFile(b.css, 'text/css; charset=utf-8', immutable, lastModified, nosniff)
  return new Elysia({ name: 'terminal' })
    .get('/terminal', ({ request }) => page(request), { detail: { hide: true } })
    .get('/terminal/', ({ request }) => page(request), { detail: { hide: true } })
    .get(b.jsPath, ({ request }) => js(request), { detail: { hide: true } })
    .get(b.cssPath, ({ request }) => css(request), { detail: { hide: true } })
}

type Encoding = 'br' | 'gzip' | 'identity'

/**
 * One static text served from memory: brotli, gzip or plain as the request's Accept-Encoding
 * prefers (compressed once, up front), with a strong ETag per encoding and Last-Modified; a
 * matching If-None-Match (or, without one, an If-Modified-Since not older) answers 304.
 */
function staticFile(text: string, type: string, cacheControl: string, lastModified: string, extra: Record<string, string>) {
  const plain = new TextEncoder().encode(text)
  const hash = Bun.hash(plain).toString(36)
  const bodies: Record<Encoding, Uint8Array> = {
    br: new Uint8Array(brotliCompressSync(plain, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } })),
    gzip: Bun.gzipSync(plain, { level: 9 }),
    identity: plain,
  }
  const etag = (e: Encoding) => `"${hash}${e === 'identity' ? '' : `-${e}`}"`
  return (request: Request): Response => {
    const encoding = chooseEncoding(request.headers.get('accept-encoding') ?? '')
    const headers: Record<string, string> = {
      'cache-control': cacheControl,
      etag: etag(encoding),
      'last-modified': lastModified,
      vary: 'Accept-Encoding',
      ...extra,
    }
    if (notModified(request, etag(encoding), lastModified)) return new Response(null, { status: 304, headers })
    headers['content-type'] = type
    if (encoding !== 'identity') headers['content-encoding'] = encoding
    return new Response(bodies[encoding] as Uint8Array<ArrayBuffer>, { headers })
  }
}

/** br when accepted, else gzip, else the plain text (q=0 refuses a coding; `*` stands for any not named). */
export function chooseEncoding(acceptEncoding: string): Encoding {
  const q = new Map<string, number>()
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';')
    if (!name) continue
    const weight = params.map((p) => p.trim().match(/^q=([\d.]+)$/)?.[1]).find((v) => v !== undefined)
    q.set(name, weight === undefined ? 1 : Number(weight))
  }
  const accepts = (name: string) => (q.get(name) ?? q.get('*') ?? 0) > 0
  if (accepts('br')) return 'br'
  if (accepts('gzip') || accepts('x-gzip')) return 'gzip'
  return 'identity'
}

function notModified(request: Request, etag: string, lastModified: string): boolean {
  const ifNoneMatch = request.headers.get('if-none-match')
  if (ifNoneMatch !== null)
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
  const since = Date.parse(request.headers.get('if-modified-since') ?? '')
  return Number.isFinite(since) && since >= Date.parse(lastModified)
}
