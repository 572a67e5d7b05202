/** CORS from configuration: exact allowed origins only (credentials are allowed, so never a wildcard or a reflected origin), preflight answered. */
import { Elysia } from 'elysia'

export function createCors(origins: string[]) {
  const exact = new Set(origins.filter((o) => !o.includes('*')))
  const allowed = (origin: string | null) => origin !== null && exact.has(origin)
  return new Elysia({ name: 'cors' }).onRequest(({ request, set }) => {
    const origin = request.headers.get('origin')
    if (!allowed(origin)) return
    set.headers['access-control-allow-origin'] = origin!
    set.headers['access-control-allow-credentials'] = 'true'
    set.headers['vary'] = 'Origin'
    set.headers['access-control-expose-headers'] = 'X-Request-Id, Retry-After, RateLimit, RateLimit-Policy'
    if (request.method === 'OPTIONS') {
      set.headers['access-control-allow-methods'] = 'GET, POST, DELETE, OPTIONS'
      set.headers['access-control-allow-headers'] = 'Authorization, Content-Type, X-Request-Id'
      set.headers['access-control-max-age'] = '600'
      return new Response(null, { status: 204, headers: set.headers as Record<string, string> })
    }
  })
}
