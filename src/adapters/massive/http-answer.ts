/** Reading a Massive HTTP answer: which statuses are retried, its Retry-After, the provider's error text. */

const RETRYABLE_STATUS = new Set([408, 413, 425, 429, 499])

/** Statuses worth another attempt: 5xx and the transient 4xx (429 among them). */
export function isRetryable(status: number): boolean {
  return status >= 500 || RETRYABLE_STATUS.has(status)
}

/** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(value)
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null
}

/** The provider's error text: `error` or `message` of its JSON envelope (section 6), trimmed. */
export function envelopeMessage(text: string): string {
  const body = safeParse(text)
  if (body && typeof body === 'object') {
    const { error, message } = body as { error?: unknown; message?: unknown }
    const found = typeof error === 'string' ? error : typeof message === 'string' ? message : ''
    return found.slice(0, 300)
  }
  return ''
}

/** The body as JSON, or undefined when it is not JSON. */
export function safeParse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
