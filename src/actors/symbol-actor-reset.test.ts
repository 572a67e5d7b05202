import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import type { Trade, UpstreamSnapshot } from '../core/market-types'
import { SymbolActor } from './symbol-actor'
import { Changes } from '../../test/support/wait'

const trade = (t: number, p: number): Trade => ({ symbol: 'X', p, s: 100, t, q: t })

/** An actor whose seeds answer from `seeds` in turn (the provider's snapshot before and after a split). */
function setup(seeds: UpstreamSnapshot[]) {
  const clock = new SimulatedClock(1_000_000)
  const out: any[] = []
  const changes = new Changes()
  let epochs = 0
  let asked = 0
  const actor = new SymbolActor({
    symbol: 'X',
    clock,
    flushMs: 0,
    derivedMs: 0,
    source: 'simulated',
    newEpoch: () => `e${++epochs}`,
    seed: async () => seeds[Math.min(asked++, seeds.length - 1)]!,
    publish: (_s, payload) => {
      out.push(JSON.parse(payload))
      changes.changed()
    },
  })
  actor.start()
  const until = (n: number) => changes.until(() => out.length >= n, `${n} messages`)
  return { clock, out, actor, until }
}

const before: UpstreamSnapshot = { ticker: 'X', last: 400, prevClose: 396, change: 4, changePct: 1.01, updatedAt: 0 }
const after: UpstreamSnapshot = { ticker: 'X', last: 100, prevClose: 99, change: 1, changePct: 1.01, updatedAt: 0 }

describe('SymbolActor reset (a split)', () => {
  it('should open a new epoch with a reset, forget the old-scale state and seed again', async () => {
    const { clock, out, actor, until } = setup([before, after])
    await until(1)
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 401)] })
    const sent = out.length
    actor.send({ type: 'resetRequested', reason: 'split' })
    await until(sent + 2)
    const [reset, snapshot] = out.slice(sent)
    expect(reset).toMatchObject({ type: 'reset', symbol: 'X', seq: 1, epoch: 'e2', data: { reason: 'split' } })
    expect(snapshot).toMatchObject({ type: 'snapshot', seq: 2, epoch: 'e2', data: { last: 100, prev_close: 99 } })
    // The day is on the new scale: a trade at 101 moves the day from the adjusted figures, not from 401.
    clock.advance(1000)
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 101)] })
    const next = out.slice(sent + 2)
    expect(next.map((m) => m.epoch)).toEqual(next.map(() => 'e2'))
    expect(next.find((m) => m.type === 'snapshot').data).toMatchObject({ last: 101, prev_close: 99 })
    expect(next.find((m) => m.type === 'bar').data).toMatchObject({ o: 101, h: 101, l: 101 })
  })

  it('should send nothing while nobody listens (grace), and still start over', async () => {
    const { out, actor, until } = setup([before, after])
    await until(1)
    actor.send({ type: 'audienceChanged', active: false })
    actor.send({ type: 'resetRequested', reason: 'split' })
    actor.send({ type: 'audienceChanged', active: true })
    await until(2)
    expect(out.slice(1).map((m) => [m.type, m.epoch])).toEqual([['snapshot', 'e2']])
  })
})
