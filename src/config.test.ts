/** Configuration: defaults, coercion, every bad key reported at once, production secret rules. */
import { describe, expect, it } from 'bun:test'
import { loadConfig } from './config'
import { ConfigError } from './errors'

describe('loadConfig', () => {
  it('should run on embedded defaults with no environment', () => {
    const c = loadConfig({})
    expect(c.mode).toBe('development')
    expect(c.port).toBe(3000)
    expect(c.databaseUrl).toBeNull()
    expect(c.redisUrl).toBeNull()
    expect(c.jwtSecret).toBeNull()
    expect(c.massive.apiKey).toBeNull()
    expect(c.massive.requestsPerMinute).toBe(5)
  })

  it('should coerce and keep given values', () => {
    const c = loadConfig({
      PORT: '8080',
      CORS_ORIGINS: 'https://a.com, https://b.com',
      MASSIVE_REQUESTS_PER_MINUTE: '0',
      TRUST_PROXY: 'yes',
    })
    expect(c.port).toBe(8080)
    expect(c.corsOrigins).toEqual(['https://a.com', 'https://b.com'])
    expect(c.massive.requestsPerMinute).toBeNull()
    expect(c.trustProxyHops).toBe(1)
  })

  it('should trust no proxy by default, and exactly the hops configured', () => {
    expect(loadConfig({}).trustProxyHops).toBe(0)
    expect(loadConfig({ TRUST_PROXY_HOPS: '2' }).trustProxyHops).toBe(2)
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxyHops).toBe(0)
    expect(loadConfig({ TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2' }).trustProxyHops).toBe(2)
    expect(() => loadConfig({ TRUST_PROXY: 'false', TRUST_PROXY_HOPS: '1' })).toThrow(/TRUST_PROXY: contradicts/)
    expect(() => loadConfig({ TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '0' })).toThrow(/TRUST_PROXY: contradicts/)
    expect(() => loadConfig({ TRUST_PROXY_HOPS: '-1' })).toThrow(/TRUST_PROXY_HOPS/)
  })

  it('should refuse "*" in CORS_ORIGINS: credentials are never shared with any origin', () => {
    for (const cors of ['*', 'https://a.com,*', 'https://*.example.com']) {
      try {
        loadConfig({ CORS_ORIGINS: cors })
        throw new Error('expected ConfigError')
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError)
        expect((e as ConfigError).problems).toEqual([
          { key: 'CORS_ORIGINS', message: expect.stringContaining('credentials must never be shared with any origin') },
        ])
        expect((e as ConfigError).message).toContain('list the exact origins')
      }
    }
  })

  it('should refuse CORS_ORIGINS entries that are not origins (a path or trailing slash never matches)', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.com/, app.example.com' })).toThrow(
      /CORS_ORIGINS: .*"https:\/\/a.com\/", "app.example.com"/,
    )
    expect(loadConfig({ CORS_ORIGINS: 'http://localhost:5173' }).corsOrigins).toEqual(['http://localhost:5173'])
  })

  it('should default the abuse limits and let 0 turn the per-user and per-address ones off', () => {
    const c = loadConfig({})
    expect(c.auth).toMatchObject({ registerMaxPerAddress: 20, registerWindowSec: 3600, passwordHashQueue: 64 })
    expect(c.auth.passwordHashConcurrency).toBe(Math.max(1, navigator.hardwareConcurrency))
    expect(c.rateLimits).toEqual({ restPerMinute: 600, marketPerMinute: 120 })
    const off = loadConfig({ RATE_LIMIT_REST_PER_MINUTE: '0', RATE_LIMIT_MARKET_PER_MINUTE: '0', REGISTER_MAX_PER_ADDRESS: '0' })
    expect(off.rateLimits).toEqual({ restPerMinute: 0, marketPerMinute: 0 })
    expect(off.auth.registerMaxPerAddress).toBe(0)
    expect(() => loadConfig({ PASSWORD_HASH_CONCURRENCY: '0' })).toThrow(/PASSWORD_HASH_CONCURRENCY/)
  })

  it('should list every bad key in one error', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        WS_HEARTBEAT_MS: '90000',
        TRUST_PROXY: 'maybe',
      })
      throw new Error('expected ConfigError')
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      const keys = (e as ConfigError).problems.map((p) => p.key).sort()
      expect(keys).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'TRUST_PROXY', 'WS_HEARTBEAT_MS'])
      expect((e as ConfigError).message).toContain('PORT')
    }
  })

  it('should refuse production without a strong JWT secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: is required/)
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32/)
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toBe('x'.repeat(32))
  })

  it('should read a Sentinel-managed Redis: the Sentinels (IPv6 too), the name and the passwords', () => {
    const c = loadConfig({
      REDIS_SENTINELS: 'sentinel-1:26379, 10.0.0.2:26380,[::1]:26381',
      REDIS_SENTINEL_NAME: 'market-watch',
      REDIS_PASSWORD: 'data-secret',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    })
    expect(c.redisUrl).toBeNull()
    expect(c.redisSentinel).toEqual({
      sentinels: [
        { host: 'sentinel-1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'market-watch',
      password: 'data-secret',
      sentinelPassword: 'sentinel-secret',
    })
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisSentinel).toBeNull()
  })

  it('should refuse REDIS_URL and REDIS_SENTINELS at once, and an incomplete or malformed Sentinel setting', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env)
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError)
        return (e as ConfigError).problems.map((p) => `${p.key}: ${p.message}`)
      }
      throw new Error('expected ConfigError')
    }
    const both = problems({ REDIS_URL: 'redis://r:6379', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'mw' })
    expect(both).toEqual([expect.stringMatching(/^REDIS_SENTINELS: cannot be combined with REDIS_URL/)])
    expect(problems({ REDIS_SENTINELS: 's:26379' })).toEqual([expect.stringMatching(/^REDIS_SENTINEL_NAME: is required/)])
    expect(problems({ REDIS_SENTINEL_NAME: 'mw' })).toEqual([expect.stringMatching(/^REDIS_SENTINEL_NAME: needs REDIS_SENTINELS/)])
    for (const list of ['s', 's:0', 's:65536', 's:26379,,:1', 'a:b:c', ' , '])
      expect(problems({ REDIS_SENTINELS: list, REDIS_SENTINEL_NAME: 'mw' })).toEqual([
        expect.stringMatching(/^REDIS_SENTINELS: must be host:port entries/),
      ])
    expect(problems({ REDIS_URL: 'redis://:pw@r:6379', REDIS_PASSWORD: 'pw' })).toEqual([
      expect.stringMatching(/^REDIS_PASSWORD: applies behind Sentinel \(REDIS_SENTINELS\) or on a cluster/),
    ])
  })

  it('should read a Redis Cluster’s nodes (IPv6 too) and password, and refuse it with another topology or malformed', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:6379, 10.0.0.2:7000,[::1]:7001', REDIS_PASSWORD: 'data-secret' })
    expect(c.redisCluster).toEqual({
      nodes: [
        { host: 'redis-1', port: 6379 },
        { host: '10.0.0.2', port: 7000 },
        { host: '::1', port: 7001 },
      ],
      password: 'data-secret',
    })
    expect([c.redisUrl, c.redisSentinel]).toEqual([null, null])
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisCluster).toBeNull()
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env)
      } catch (e) {
        return (e as ConfigError).problems.map((p) => `${p.key}: ${p.message}`)
      }
      throw new Error('expected ConfigError')
    }
    expect(problems({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'r:7000' })).toEqual([
      expect.stringMatching(/^REDIS_CLUSTER_NODES: cannot be combined with REDIS_URL/),
    ])
    expect(problems({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'mw', REDIS_CLUSTER_NODES: 'r:7000' })).toEqual([
      expect.stringMatching(/^REDIS_CLUSTER_NODES: cannot be combined with REDIS_SENTINELS/),
    ])
    for (const list of ['r', 'r:0', 'r:7000,,:1', ' , '])
      expect(problems({ REDIS_CLUSTER_NODES: list })).toEqual([expect.stringMatching(/^REDIS_CLUSTER_NODES: must be host:port entries/)])
  })
})
