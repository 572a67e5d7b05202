/** What GET /readyz checks: the database answers, the process has room for more streams, and the bus delivers. */
import type { ReadinessCheck } from '../http/modules/system'
import type { Bus } from '../ports/bus'
import type { StreamModule } from '../stream/stream-module'

export function readinessChecks(
  pingDatabase: () => Promise<void>,
  stream: Pick<StreamModule, 'full'>,
  bus: Pick<Bus, 'health'>,
): ReadinessCheck[] {
  return [
    { name: 'database', check: pingDatabase },
    // A process holding its cap of streams is not ready: a load balancer sends new upgrades elsewhere.
    {
      name: 'stream_capacity',
      check: async () => {
        if (stream.full()) throw new Error('the process holds its maximum of streams')
      },
    },
    // Messages to and from other replicas may be lost: Redis away, re-subscribing, or the bus's canary not back (delivery stalled).
    {
      name: 'bus',
      check: async () => {
        const health = bus.health()
        if (health.state !== 'ok') throw new Error(health.reason ?? 'bus degraded')
      },
    },
  ]
}
