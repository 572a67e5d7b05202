/** Redis Cluster key slots: CRC16 (XMODEM) of the key, or of its hash tag, modulo 16384; and probe tags that land on every shard. */

/** Slots in a Redis Cluster. */
export const clusterSlots = 16384

const crcTable = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[i] = crc
  }
  return table
})()

function crc16(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ crcTable[((crc >> 8) ^ byte) & 0xff]!
  return crc
}

const encoder = new TextEncoder()

/** The slot of `key` as Redis computes it: only the part inside the first `{…}` counts when it is non-empty. */
export function hashSlot(key: string): number {
  const open = key.indexOf('{')
  if (open >= 0) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) key = key.slice(open + 1, close)
  }
  return crc16(encoder.encode(key)) % clusterSlots
}

/**
 * One hash tag per shard: `owners[slot]` names the shard serving each slot (a cluster client's
 * slot map); the answer holds, for every shard, the smallest number whose slot that shard serves,
 * as a string for `{…}`. A channel `<name>:{<tag>}` then lives on that shard.
 */
export function shardTags(owners: readonly (string | undefined)[]): string[] {
  const wanted = new Set(owners.filter((owner): owner is string => owner !== undefined))
  const tags: string[] = []
  for (let n = 0; wanted.size > 0 && n < clusterSlots * 64; n++) {
    const owner = owners[hashSlot(String(n))]
    if (owner !== undefined && wanted.delete(owner)) tags.push(String(n))
  }
  return tags
}
