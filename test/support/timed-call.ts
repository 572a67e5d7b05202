/** One HTTP call for fault tests: never throws (a reset or an empty reply is status 0) and reports the error code, Retry-After and how long it took. */

export type TimedCall = { status: number; code: string | null; retryAfter: string | null; ms: number }

export async function timedCall(base: string, method: string, path: string, token: string, body?: unknown): Promise<TimedCall> {
  const started = performance.now()
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    })
    const json = (await res.json().catch(() => null)) as { error?: { code?: string } } | null
    return { status: res.status, code: json?.error?.code ?? null, retryAfter: res.headers.get('retry-after'), ms: performance.now() - started }
  } catch {
    return { status: 0, code: null, retryAfter: null, ms: performance.now() - started }
  }
}
