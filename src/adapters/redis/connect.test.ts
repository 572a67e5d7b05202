/** The Redis connection factory: the topology the configuration names, and each role's options on one server and behind Sentinel (nothing connects: lazyConnect). */
import { afterEach, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import { createRedisConnector, redisTopology } from './connect'

const opened: Redis[] = []
afterEach(() => {
  for (const client of opened.splice(0)) client.disconnect()
})

const sentinel = {
  sentinels: [{ host: 's1', port: 26379 }],
  name: 'market-watch',
  password: 'data',
  sentinelPassword: 'sentinels',
}

describe('redisTopology', () => {
  it('should name no Redis, one server, or Sentinel', () => {
    expect(redisTopology({ redisUrl: null, redisSentinel: null })).toBeNull()
    expect(redisTopology({ redisUrl: 'redis://r:6379', redisSentinel: null })).toEqual({
      kind: 'single',
      url: 'redis://r:6379',
    })
    expect(redisTopology({ redisUrl: null, redisSentinel: sentinel })).toEqual({ kind: 'sentinel', ...sentinel })
  })
})

describe('createRedisConnector', () => {
  it('should open command connections that never queue while Redis is away, and bus connections with the caller’s options', () => {
    const connect = createRedisConnector({ kind: 'single', url: 'redis://127.0.0.1:6399' }, { prefix: 'mw' })
    const command = connect('commands', { lazyConnect: true })
    const publisher = connect('bus-publisher', { lazyConnect: true, connectionName: 'mw:bus-pub:n1' })
    opened.push(command, publisher)
    expect(command.options).toMatchObject({
      port: 6399,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: 'mw:commands',
    })
    expect(publisher.options.connectionName).toBe('mw:bus-pub:n1')
    expect(command.options.retryStrategy!(1)).toBe(50)
    expect(command.options.retryStrategy!(100)).toBe(1000) // never gives up, at most 1 s apart
  })

  it('should ask the Sentinels for the primary, check its role, follow +switch-master and reconnect on READONLY', () => {
    const connect = createRedisConnector({ kind: 'sentinel', ...sentinel }, { prefix: 'mw' })
    const command = connect('commands', { lazyConnect: true })
    opened.push(command)
    expect(command.options).toMatchObject({
      sentinels: sentinel.sentinels,
      name: 'market-watch',
      role: 'master',
      password: 'data',
      sentinelPassword: 'sentinels',
      failoverDetector: true,
      enableOfflineQueue: false,
    })
    const reconnectOnError = command.options.reconnectOnError as (error: Error) => boolean | 1 | 2
    expect(reconnectOnError(new Error("READONLY You can't write against a read only replica."))).toBe(2)
    expect(reconnectOnError(new Error('ERR wrong number of arguments'))).toBe(false)
  })
})
