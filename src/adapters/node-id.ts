/** Node ids of bus adapters: short, random, different for every process start. */

/** A short random node id (8 base36 chars, no '|'), different for every process start. */
export function createNodeId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  let id = ''
  for (const b of bytes) id += (b % 36).toString(36)
  return id
}
