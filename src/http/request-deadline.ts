/** answerWithin: a service whose named methods answer 503 UPSTREAM_UNAVAILABLE once the request deadline passes, so no request outlives the server's idle timeout. */
import { withDeadline } from '../core/deadline'
import { UpstreamUnavailableError } from '../errors'
import type { Clock } from '../ports/clock'

/** The same service for the routes; `methods` (those that may wait on the upstream) are raced against `ms` on the clock. */
export function answerWithin<T extends object>(service: T, methods: (keyof T & string)[], ms: number, clock: Clock): T {
  const raced = new Set<string | symbol>(methods)
  return new Proxy(service, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      if (!raced.has(key) || typeof value !== 'function') return value
      return (...args: unknown[]) => {
        let work: Promise<unknown>
        try {
          work = Promise.resolve(value.apply(target, args))
        } catch (error) {
          return Promise.reject(error)
        }
        const retryAfterSec = Math.max(1, Math.ceil(ms / 4000))
        return withDeadline(work, ms, clock, () => new UpstreamUnavailableError(`no answer within the request deadline of ${ms} ms`, { retryAfterSec }))
      }
    },
  })
}
