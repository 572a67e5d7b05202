/** BoundedCache: entries expire, the least recently used go first beyond the entry or weight bound. */
import { describe, expect, it } from 'bun:test'
import { BoundedCache } from './bounded-cache'

function cacheAt(opts: { maxEntries: number; ttlMs: number; maxWeight?: number }) {
  const time = { now: 1_000 }
  const cache = new BoundedCache<string, string>({
    ...opts,
    now: () => time.now,
    weigh: opts.maxWeight === undefined ? undefined : (v) => v.length,
  })
  return { cache, time }
}

describe('BoundedCache', () => {
  it('should return a value until its TTL passes, then forget it', () => {
    const { cache, time } = cacheAt({ maxEntries: 10, ttlMs: 100 })
    cache.set('a', 'x')
    time.now += 99
    expect(cache.get('a')).toBe('x')
    expect(cache.has('a')).toBe(true)
    time.now += 1
    expect(cache.has('a')).toBe(false)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('should take a TTL per entry', () => {
    const { cache, time } = cacheAt({ maxEntries: 10, ttlMs: 100 })
    cache.set('short', 's', 10)
    cache.set('long', 'l', 1_000)
    time.now += 500
    expect([cache.get('short'), cache.get('long')]).toEqual([undefined, 'l'])
  })

  it('should forget the least recently used entry beyond maxEntries, a read counting as a use', () => {
    const { cache } = cacheAt({ maxEntries: 2, ttlMs: 1_000 })
    cache.set('a', '1')
    cache.set('b', '2')
    expect(cache.get('a')).toBe('1')
    cache.set('c', '3')
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['1', undefined, '3'])
    expect(cache.size).toBe(2)
  })

  it('should drop expired entries at the old end when another is set', () => {
    const { cache, time } = cacheAt({ maxEntries: 100, ttlMs: 100 })
    for (let i = 0; i < 50; i++) cache.set(`k${i}`, 'v')
    time.now += 100
    cache.set('fresh', 'v')
    expect(cache.size).toBe(1)
  })

  it('should prune expired entries anywhere', () => {
    const { cache, time } = cacheAt({ maxEntries: 100, ttlMs: 100 })
    cache.set('long', 'v', 10_000)
    cache.set('short', 'v', 10)
    time.now += 50
    cache.prune()
    expect(cache.size).toBe(1)
  })

  it('should keep the total weight under maxWeight, and never keep a value heavier than it', () => {
    const { cache } = cacheAt({ maxEntries: 100, ttlMs: 1_000, maxWeight: 10 })
    cache.set('a', 'aaaa')
    cache.set('b', 'bbbb')
    expect(cache.weight).toBe(8)
    cache.set('c', 'cccc')
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 'bbbb', 'cccc'])
    expect(cache.weight).toBe(8)
    cache.set('huge', 'x'.repeat(11))
    expect(cache.get('huge')).toBeUndefined()
    expect(cache.weight).toBe(8)
    cache.set('b', 'bb')
    expect(cache.weight).toBe(6)
    expect(cache.delete('b')).toBe(true)
    expect(cache.weight).toBe(4)
  })

  it('should refuse a bad bound', () => {
    expect(() => new BoundedCache({ maxEntries: -1, ttlMs: 1, now: () => 0 })).toThrow(RangeError)
    expect(() => new BoundedCache({ maxEntries: 1, ttlMs: Number.NaN, now: () => 0 })).toThrow(RangeError)
  })
})
