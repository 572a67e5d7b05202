/** Request size limits answered with the error envelope, set below Bun's own hard limits (which answer a bare status and close): URL, headers, and bodies whether declared or streamed. */
import http from 'node:http'
import { AppError, ValidationError } from '../errors'

export const requestLimits = {
  /** Longest request target (path and query) served; longer answers 414 URI_TOO_LONG. */
  maxUrlBytes: 8 * 1024,
  /** Largest header section (names and values) served; larger answers 431 REQUEST_HEADER_TOO_LARGE. */
  maxHeaderBytes: 16 * 1024,
  /** Most header fields served; more answers 431 REQUEST_HEADER_TOO_LARGE (Bun refuses about 200 itself). */
  maxHeaderCount: 100,
  /** Deepest nesting of arrays and objects in a JSON body (ours are flat); deeper answers 400 MALFORMED_BODY before the schema check, which recursed past the stack at ~5,000 levels (500). */
  maxJsonDepth: 32,
  /**
   * Bun's limit on the request line and headers together (node:http maxHeaderSize, process-wide,
   * 16 KiB by default): beyond it Bun answers a bare 431 and closes before any JavaScript runs.
   * Raised so that everything up to it gets the envelope from the checks above.
   */
  bunHeadBytes: 256 * 1024,
  /**
   * Bun's maxRequestBodySize: a declared Content-Length above it is refused bare. Effectively
   * unlimited, so that every declared length reaches the edge's check (MAX_BODY_BYTES); a streamed
   * body is read through readJsonBody, which stops at MAX_BODY_BYTES, and Bun keeps no unread body.
   */
  bunBodyBytes: Number.MAX_SAFE_INTEGER,
}

/** Raises Bun's header limit (process-wide; idempotent). Call before the server listens. */
export function raiseBunHeadLimit(): void {
  ;(http as unknown as { maxHeaderSize: number }).maxHeaderSize = requestLimits.bunHeadBytes
}

export interface Refusal {
  status: number
  code: string
  message: string
  details?: Record<string, unknown>
}

/** The refusal for a request line or header section over the limits, or null. */
export function oversizedHead(request: Request): Refusal | null {
  const url = request.url
  const target = url.length - Math.max(0, url.indexOf('/', url.indexOf('//') + 2))
  if (target > requestLimits.maxUrlBytes)
    return {
      status: 414,
      code: 'URI_TOO_LONG',
      message: `the request path and query exceed ${requestLimits.maxUrlBytes} bytes`,
      details: { max: requestLimits.maxUrlBytes },
    }
  let bytes = 0
  let count = 0
  request.headers.forEach((value, name) => {
    bytes += name.length + value.length + 4
    count++
  })
  if (bytes > requestLimits.maxHeaderBytes || count > requestLimits.maxHeaderCount)
    return {
      status: 431,
      code: 'REQUEST_HEADER_TOO_LARGE',
      message: `request headers exceed ${requestLimits.maxHeaderBytes} bytes or ${requestLimits.maxHeaderCount} fields`,
      details: { max_bytes: requestLimits.maxHeaderBytes, max_fields: requestLimits.maxHeaderCount },
    }
  return null
}

/** 413 PAYLOAD_TOO_LARGE: a body over MAX_BODY_BYTES, declared or found while reading. */
export const payloadTooLarge = (maxBytes: number) =>
  new AppError('PAYLOAD_TOO_LARGE', 413, `request body exceeds ${maxBytes} bytes`, { details: { max: maxBytes } })

/**
 * The JSON body of a request, read up to `maxBytes` whether its length was declared or not
 * (chunked), or undefined when there is none. Stops reading at the limit: 413.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  if (request.body === null) return undefined
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      void reader.cancel().catch(() => {})
      throw payloadTooLarge(maxBytes)
    }
    chunks.push(value)
  }
  if (size === 0) return undefined
  let text: string
  let body: unknown
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
    body = JSON.parse(text)
  } catch {
    throw new ValidationError('MALFORMED_BODY', 'request body is not valid JSON')
  }
  if (nestsDeeperThan(text, requestLimits.maxJsonDepth))
    throw new ValidationError('MALFORMED_BODY', `request body nests deeper than ${requestLimits.maxJsonDepth} levels`, {
      max_depth: requestLimits.maxJsonDepth,
    })
  return body
}

/** True if valid JSON text opens more than `limit` arrays and objects inside each other (brackets in strings do not count); one pass, no recursion. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}
