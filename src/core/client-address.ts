/** The client address a request is counted under (throttles, rate limits): the socket peer, or the address the outermost of N trusted proxies saw; pure. */

/**
 * The address of the client behind `trustedHops` proxies.
 *
 * - 0 hops: the socket peer (`socketAddress`), whatever X-Forwarded-For says: a client writes
 *   that header as it likes.
 * - N hops: each trusted proxy appends the address of its own peer to X-Forwarded-For, so the
 *   Nth entry from the right is the one the outermost trusted proxy wrote: the client's address.
 *   Entries further left were written by the client and are never read.
 * - Fewer than N entries (the request did not come through every proxy), or an entry that is
 *   not an IP address: the socket peer.
 *
 * Addresses are normalised (IPv4-mapped IPv6 to IPv4, ports and brackets dropped, lower case)
 * so the same client counts under one key whichever way it arrives. No socket (in-process
 * requests) is 'unknown'.
 */
export function clientAddress(socketAddress: string | null, forwardedFor: string | null, trustedHops: number): string {
  const socket = (socketAddress !== null && normaliseAddress(socketAddress)) || socketAddress || 'unknown'
  if (trustedHops <= 0 || forwardedFor === null) return socket
  const entries = forwardedFor.split(',')
  if (entries.length < trustedHops) return socket
  return normaliseAddress(entries[entries.length - trustedHops]) ?? socket
}

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/
const ipv6 = /^[0-9a-f:]*(:\d{1,3}(\.\d{1,3}){3})?$/

/** One address as an IP literal (`1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`), normalised; null when it is none. */
export function normaliseAddress(raw: string): string | null {
  let s = raw.trim().toLowerCase()
  if (s.length === 0 || s.length > 64) return null
  if (s.startsWith('[')) {
    const end = s.indexOf(']')
    if (end < 0 || !/^(:\d{1,5})?$/.test(s.slice(end + 1))) return null
    s = s.slice(1, end)
  } else if (/^[\d.]+:\d{1,5}$/.test(s)) s = s.slice(0, s.indexOf(':'))
  if (s.startsWith('::ffff:') && ipv4.test(s.slice(7))) s = s.slice(7)
  const v4 = ipv4.exec(s)
  if (v4) return v4.slice(1).every((octet) => Number(octet) <= 255) ? s : null
  const colons = s.split(':').length - 1
  return colons >= 2 && colons <= 8 && ipv6.test(s) && !s.includes(':::') && s.split('::').length <= 2 ? s : null
}
