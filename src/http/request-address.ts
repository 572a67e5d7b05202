/** The client address of an HTTP request as throttles and limits count it: core/client-address.ts over Bun's socket peer and X-Forwarded-For. */
import { clientAddress } from '../core/client-address'

/** Bun's server (Elysia's `server` in a handler's context); null for in-process requests (app.handle). */
export type PeerSource = { requestIP(request: Request): { address: string } | null } | null | undefined

/** The socket peer, or the address the outermost of `trustedHops` proxies saw (TRUST_PROXY_HOPS). */
export function requestAddress(request: Request, server: PeerSource, trustedHops: number): string {
  return clientAddress(server?.requestIP(request)?.address ?? null, request.headers.get('x-forwarded-for'), trustedHops)
}
