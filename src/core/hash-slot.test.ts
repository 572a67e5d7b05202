/** Cluster key slots against the values Redis answers (CLUSTER KEYSLOT), and probe tags covering every shard. */
import { describe, expect, it } from 'bun:test'
import { clusterSlots, hashSlot, shardTags } from './hash-slot'

describe('hashSlot', () => {
  it('should compute the slots Redis computes, by the hash tag when there is a non-empty one', () => {
    // Values from redis-cli CLUSTER KEYSLOT on Redis 7.
    expect(hashSlot('foo')).toBe(12182)
    expect(hashSlot('somekey')).toBe(11058)
    expect(hashSlot('123456789')).toBe(12739) // CRC16/XMODEM check value 0x31C3
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('user1000'))
    expect(hashSlot('foo{}{bar}')).toBe(hashSlot('foo{}{bar}')) // an empty tag: the whole key
    expect(hashSlot('foo{}{bar}')).not.toBe(hashSlot('bar'))
    expect(hashSlot('foo{{bar}}zap')).toBe(hashSlot('{bar'))
    expect(hashSlot('mw:sym:ÄPFEL')).toBeLessThan(clusterSlots)
  })
})

describe('shardTags', () => {
  it('should give one tag per shard, each hashing to a slot that shard serves', () => {
    const owners = Array.from({ length: clusterSlots }, (_, slot) => (slot < 5461 ? 'a' : slot < 10923 ? 'b' : 'c'))
    const tags = shardTags(owners)
    expect(tags).toHaveLength(3)
    expect(tags.map((tag) => owners[hashSlot(`mw#canary:n1:{${tag}}`)]).sort()).toEqual(['a', 'b', 'c'])
  })

  it('should find a shard serving a single slot, and give nothing for an empty slot map', () => {
    const owners: (string | undefined)[] = Array.from({ length: clusterSlots }, () => 'big')
    owners[hashSlot('lonely')] = 'small'
    const tags = shardTags(owners)
    expect(tags.map((tag) => owners[hashSlot(tag)]).sort()).toEqual(['big', 'small'])
    expect(shardTags([])).toEqual([])
  })
})
