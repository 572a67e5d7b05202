/** createServer: the Elysia edge assembled from feature modules, error handling, CORS and the OpenAPI document. */
import { openapi } from '@elysiajs/openapi'
import { Elysia } from 'elysia'
import type { Logger } from '../ports/logger'
import { createCors } from './cors'
import { createErrorPlugin } from './error-plugin'
import type { AnsweredRequest } from './http-metrics'
import { ErrorBody } from './model'
import { openApiDocumentFinisher } from './openapi-document'
import { createRepeatedParamsGuard } from './repeated-params'
import { raiseBunHeadLimit, requestLimits } from './request-limits'
import { sessionCookieName } from '../core/credentials'
// Swagger UI is served from the process (embedded in the binary): the docs page works with no internet.
import swaggerJs from '../../node_modules/swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' }
import swaggerCss from '../../node_modules/swagger-ui-dist/swagger-ui.css' with { type: 'file' }

export interface ServerOptions {
  log: Logger
  maxBodyBytes: number
  /** Bun's idle timeout per HTTP connection (seconds), set explicitly and above the request deadline. */
  idleTimeoutSec?: number
  corsOrigins: string[]
  /** Bun WebSocket options; Bun reads them from the root instance only. */
  websocket?: Record<string, unknown>
  /** Feature modules, each an Elysia instance (controller). */
  modules: Elysia<any, any, any, any, any, any, any>[]
  /** Called once per answered request (HttpMetrics.observe). */
  answered?: (r: AnsweredRequest) => void
  /** The server's clock: each answer's `Date` says its time (clients estimate the server's clock from it). @default Bun's wall clock */
  now?: () => number
}

export function createServer(o: ServerOptions) {
  let app: Elysia<any, any, any, any, any, any, any>
  const routes = () => app.routes.map((r) => ({ method: r.method, path: r.path }))
  // Bun's own limits answer bare statuses before any JavaScript runs: raised above the edge's, which answer the envelope.
  raiseBunHeadLimit()
  app = new Elysia({
    // reusePort off (Elysia turns it on): a second process on a taken port must fail, not silently take half its connections.
    serve: { maxRequestBodySize: requestLimits.bunBodyBytes, idleTimeout: o.idleTimeoutSec ?? 30, reusePort: false },
    websocket: o.websocket,
  })
    .onRequest(({ set }) => {
      if (o.now) set.headers.date = new Date(o.now()).toUTCString()
    })
    .use(createErrorPlugin({ log: o.log, maxBodyBytes: o.maxBodyBytes, routes, answered: o.answered }))
    .use(createRepeatedParamsGuard(() => app.routes))
    .use(createCors(o.corsOrigins))
    .use(openApiDocumentFinisher('/docs/json'))
    .use(
      openapi({
        path: '/docs',
        provider: 'swagger-ui',
        swagger: { cdn: '/docs/assets/swagger-ui-bundle.js', theme: '/docs/assets/swagger-ui.css', autoDarkMode: true },
        // 'ws' is no OpenAPI method: WebSocket routes stay out (the stream's is hidden; docs/websocket-protocol.md describes it).
        exclude: { paths: [/^\/docs\/assets/], methods: ['options', 'ws'] },
        documentation: {
          info: {
            title: 'Market Watch API',
            version: '1',
            description:
              'Accounts, watchlists, OHLCV bars and snapshots for the /terminal market-watch screen. Every failure answers the error envelope with a stable code. The WebSocket stream (`/api/v1/market-data/stream`, a GET with `Upgrade: websocket`) is not an HTTP operation and is documented in docs/websocket-protocol.md.',
          },
          components: {
            // Not through .model(): Elysia gives models an $id with a '#' fragment, which is not a valid schema id.
            schemas: { Error: ErrorBody as object },
            securitySchemes: {
              bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
              sessionCookie: {
                type: 'apiKey',
                in: 'cookie',
                name: sessionCookieName,
                description: 'the HttpOnly cookie login sets; used when no Authorization header is sent',
              },
              metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, not a user JWT' },
            },
          },
          // Signed in by either carrier; public routes say `security: []`.
          security: [{ bearer: [] }, { sessionCookie: [] }],
        },
      }),
    )
    .get('/docs/assets/swagger-ui-bundle.js', () => staticFile(swaggerJs, 'text/javascript'), {
      detail: { hide: true },
    })
    .get('/docs/assets/swagger-ui.css', () => staticFile(swaggerCss, 'text/css'), { detail: { hide: true } })
  for (const m of o.modules) app = app.use(m)
  return app
}

/** An embedded file as a cacheable response. */
export function staticFile(path: string, contentType: string): Response {
  return new Response(Bun.file(path), {
    headers: { 'content-type': contentType, 'cache-control': 'public, max-age=86400' },
  })
}
