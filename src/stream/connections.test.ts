/** ConnectionRegistry's index: every open connection counted and visited once, from the upgrade through admission and a closing grace to the socket's close. */
import { describe, expect, it } from 'bun:test'
import { MemoryBus } from '../adapters/memory/memory-bus'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { createSilentLog } from '../../test/support/silent-log'
import { unfiled } from '../core/deadline-wheel'
import type { ConnectionActor } from '../actors/connection-actor'
import { ConnectionRegistry } from './connections'

/** What the registry reads of a connection: its user, its mailbox and its deadline wheel links. */
const connection = (userId: number) => {
  const sent: string[] = []
  const conn = { userId, send: (m: { type: string }) => (sent.push(m.type), true), sent, ...unfiled() }
  return conn as unknown as ConnectionActor & { sent: string[] }
}

describe('ConnectionRegistry', () => {
  it('should count and visit each open connection once, admitted or not, until its socket closed', () => {
    const registry = new ConnectionRegistry(new MemoryBus(), createSilentLog(), new SimulatedClock(0), 250)
    const [a, b, c] = [connection(1), connection(1), connection(2)]
    for (const conn of [a, b, c]) registry.add(conn)
    expect(registry.size).toBe(3)
    registry.membershipChanged(a, true)
    registry.membershipChanged(b, true)
    registry.membershipChanged(a, true)
    // c is refused (never admitted); b closes with a grace: it released its slot, its socket is still open.
    registry.membershipChanged(b, false)
    expect({ size: registry.size, users: registry.userCount, user1: registry.userConnections(1) }).toEqual({
      size: 3,
      users: 1,
      user1: 1,
    })
    const visited = [...registry.connections()]
    expect(visited).toHaveLength(3)
    expect(new Set(visited)).toEqual(new Set([a, b, c]))
    registry.broadcast({ type: 'statusChanged' })
    expect([a, b, c].map((x) => x.sent)).toEqual([['statusChanged'], ['statusChanged'], ['statusChanged']])
    registry.remove(b)
    registry.remove(c)
    registry.membershipChanged(a, false)
    registry.remove(a)
    expect({ size: registry.size, users: registry.userCount, all: [...registry.connections()] }).toEqual({
      size: 0,
      users: 0,
      all: [],
    })
    registry.close()
  })
})
