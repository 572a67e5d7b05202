/** Where a browser's credentials are and whether its Origin may use them: the session cookie (name, parsing) and the allowed-Origin rule, shared by REST auth and the stream handshake. */

export const sessionCookieName = 'mw_token'

/** The value of cookie `name` in a Cookie header, percent-decoded; null when it is absent. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const i = part.indexOf('=')
    if (i > 0 && part.slice(0, i).trim() === name) return decodeCookieValue(part.slice(i + 1).trim())
  }
  return null
}

/** A cookie value percent-decoded; a broken escape (a client's, never ours) is kept as it came and fails verification like any bad token. */
function decodeCookieValue(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/**
 * The token of an `Authorization` header in the Bearer scheme: the token, or '' when a Bearer
 * header holds no single token (refused as invalid). Null without a header or in another scheme:
 * Basic or Digest credentials are a proxy's in front of us (a browser sends them with every
 * request, the WebSocket upgrade included), so the other carriers are read instead.
 */
export function bearerToken(header: string | null): string | null {
  if (header === null || !/^bearer(\s|$)/i.test(header)) return null
  return /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? ''
}

/** True when a browser's Origin may use cookie-authenticated endpoints (the WebSocket handshake). */
export function isOriginAllowed(origins: string[], origin: string | null, selfOrigin: string): boolean {
  if (origin === null) return false
  return origin === selfOrigin || (!origin.includes('*') && origins.includes(origin))
}
