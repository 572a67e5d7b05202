/** Counts Redis Pub/Sub messages under one key prefix (PSUBSCRIBE prefix*), to check publishes per market event. */
import Redis from 'ioredis'

export interface PublishCounter {
  count(): number
  close(): Promise<void>
}

export async function countPublishes(url: string, prefix: string): Promise<PublishCounter> {
  const sub = new Redis(url, { maxRetriesPerRequest: 1 })
  let n = 0
  sub.on('pmessage', () => n++)
  sub.on('messageBuffer', () => n++)
  await sub.psubscribe(`${prefix}*`)
  return {
    count: () => n,
    close: async () => void sub.disconnect(),
  }
}
