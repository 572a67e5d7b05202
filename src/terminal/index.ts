/** The /terminal page as an Elysia module: the HTML shell and its hashed assets, served from memory. */
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

/** GET /terminal (no-cache HTML) and GET /terminal/assets/* (immutable, content-hashed JS and CSS). */
export function createTerminalRoutes(options: TerminalRoutesOptions = {}) {
  const b = options.bundle ?? embedded
  const page = () =>
    new Response(b.html, {
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...securityHeaders },
    })
  const asset = (body: string, type: string) => () =>
    new Response(body, {
      headers: {
        'content-type': type,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      },
    })
  return new Elysia({ name: 'terminal' })
    .get('/terminal', page, { detail: { hide: true } })
    .get('/terminal/', page, { detail: { hide: true } })
    .get(b.jsPath, asset(b.js, 'text/javascript; charset=utf-8'), { detail: { hide: true } })
    .get(b.cssPath, asset(b.css, 'text/css; charset=utf-8'), { detail: { hide: true } })
}
