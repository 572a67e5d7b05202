/** Counts Redis Pub/Sub messages under one key prefix (PSUBSCRIBE prefix*), or a cluster's SPUBLISH commands (INFO commandstats of its primaries), to check publishes per market event. */
import Redis from 'ioredis'

export interface PublishCounter {
  count(): Promise<number>
  close(): Promise<void>
}

/** SPUBLISH calls on every primary of a cluster the bench owns (nothing else publishes there; the replicas' bus canaries, one each per 2 s, are included). */
export function countShardedPublishes(nodes: { host: string; port: number }[]): PublishCounter {
  const clients = nodes.map((node) => {
    const client = new Redis({ ...node, maxRetriesPerRequest: 1 })
    client.on('error', () => {})
    return client
  })
  return {
    async count() {
      const stats = await Promise.all(clients.map((c) => c.info('commandstats').catch(() => '')))
      return stats.reduce((sum, text) => sum + Number(/cmdstat_spublish:calls=(\d+)/.exec(text)?.[1] ?? 0), 0)
    },
    close: async () => clients.forEach((c) => c.disconnect()),
  }
}

export async function countPublishes(url: string, prefix: string): Promise<PublishCounter> {
  const sub = new Redis(url, { maxRetriesPerRequest: 1 })
  let n = 0
  sub.on('pmessage', () => n++)
  sub.on('messageBuffer', () => n++)
  await sub.psubscribe(`${prefix}*`)
  return {
    count: async () => n,
    close: async () => void sub.disconnect(),
  }
}
