/** The Redis connection factory: the topology the configuration names, and each role's options on one server, behind Sentinel and on a cluster (nothing connects: lazyConnect). */
import { afterEach, describe, expect, it } from 'bun:test'
import type Redis from 'ioredis'
import type { Cluster } from 'ioredis'
import { createRedisConnector, redisTopology, slotKey, type RedisClient } from './connect'

const opened: RedisClient[] = []

/** The client, checked to be a connection to one server (not a cluster client). */
function server(client: RedisClient): Redis {
  expect(client.isCluster).toBe(false)
  return client as Redis
}

function cluster(client: RedisClient): Cluster {
  expect(client.isCluster).toBe(true)
  return client as Cluster
}
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
    const nodes = { nodes: [{ host: 'r1', port: 7000 }], password: null }
    expect(redisTopology({ redisUrl: null, redisSentinel: null, redisCluster: nodes })).toEqual({ kind: 'cluster', ...nodes })
  })
})

describe('createRedisConnector', () => {
  it('should open command connections that never queue while Redis is away, and bus connections with the caller’s options', () => {
    const connect = createRedisConnector({ kind: 'single', url: 'redis://127.0.0.1:6399' }, { prefix: 'mw' })
    const command = server(connect('commands', { lazyConnect: true }))
    const publisher = server(connect('bus-publisher', { lazyConnect: true, connectionName: 'mw:bus-pub:n1' }))
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
    const command = server(connect('commands', { lazyConnect: true }))
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

describe('on a Redis Cluster', () => {
  const topology = { kind: 'cluster' as const, nodes: [{ host: '127.0.0.1', port: 7000 }], password: 'data' }

  it('should open cluster clients: commands never queue, the bus keeps the cluster’s queue (used only while it is not ready: ordered publishes), every node connection authenticates and is named, only the bus subscriber holds sharded subscribers', () => {
    const connect = createRedisConnector(topology, { prefix: 'mw' })
    const command = cluster(connect('commands', { lazyConnect: true }))
    const subscriber = cluster(connect('bus-subscriber', { lazyConnect: true, enableOfflineQueue: false }))
    const publisher = cluster(connect('bus-publisher', { lazyConnect: true }))
    opened.push(command, subscriber, publisher)
    expect(command.options).toMatchObject({ enableOfflineQueue: false, lazyConnect: true, shardedSubscribers: false })
    expect(command.options.redisOptions).toMatchObject({
      password: 'data',
      maxRetriesPerRequest: 1,
      connectionName: 'mw:commands',
    })
    expect(subscriber.options).toMatchObject({ enableOfflineQueue: true, shardedSubscribers: true })
    expect(publisher.options.shardedSubscribers).toBe(false)
    expect(command.options.clusterRetryStrategy!(100)).toBe(1000) // never gives up, at most 1 s apart
  })

  it('should put keys used together in one slot on a cluster only (hash tags), leaving one server’s keys as they were', () => {
    const onCluster = cluster(createRedisConnector(topology, { prefix: 'mw' })('commands', { lazyConnect: true }))
    const onServer = server(
      createRedisConnector({ kind: 'single', url: 'redis://127.0.0.1:6399' }, { prefix: 'mw' })('commands', {
        lazyConnect: true,
      }),
    )
    opened.push(onCluster, onServer)
    expect(slotKey(onCluster, 'mw:wanted', ':n1')).toBe('{mw:wanted}:n1')
    expect(slotKey(onServer, 'mw:wanted', ':n1')).toBe('mw:wanted:n1')
  })
})
