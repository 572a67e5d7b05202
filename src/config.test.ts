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
    expect(c.trustProxy).toBe(true)
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
})
