import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import type { Trade, UpstreamSnapshot } from '../core/market-types'
import { SymbolActor } from './symbol-actor'
import { Changes, deferred, flushPromises } from '../../test/support/wait'

const trade = (t: number, p: number): Trade => ({ symbol: 'X', p, s: 100, t, q: t })

/** An actor whose seeds answer from `seeds` in turn (the provider's snapshot before and after a split), or as `seed` says. */
function setup(seeds: UpstreamSnapshot[], seed?: () => Promise<UpstreamSnapshot>) {
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
    seed: seed ?? (async () => seeds[Math.min(asked++, seeds.length - 1)]!),
    publish: (_s, payload) => {
      out.push(JSON.parse(payload))
      changes.changed()
    },
  })
  actor.start()
  const until = (n: number) => changes.until(() => out.length >= n, `${n} messages`)
  return { clock, out, actor, until, changes }
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

  /** Seeds the test answers itself, in the order it chooses: [0] asked at start, [1] asked by the reset. */
  const heldSeeds = () => {
    const asked: ReturnType<typeof deferred<UpstreamSnapshot>>[] = []
    return {
      asked,
      seed: () => {
        const answer = deferred<UpstreamSnapshot>()
        asked.push(answer)
        return answer.promise
      },
    }
  }

  it('should discard a seed asked for before the reset that arrives after it, and apply the fresh one', async () => {
    const seeds = heldSeeds()
    const { clock, out, actor, until, changes } = setup([], seeds.seed)
    actor.send({ type: 'resetRequested', reason: 'split' })
    await until(1)
    expect(out[0]).toMatchObject({ type: 'reset', epoch: 'e2', seq: 1 })
    expect(seeds.asked.length).toBe(2)
    // The seed asked for at start answers now, with the old scale's prices: not applied.
    seeds.asked[0]!.resolve(before)
    await flushPromises()
    clock.advance(1000)
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 101)] })
    await until(3)
    expect(out.slice(1).map((m) => m.type).sort()).toEqual(['bar', 'trade'])
    expect(out.some((m) => m.type === 'snapshot')).toBe(false) // unseeded: no prev close, no 396
    // The fresh seed, asked for by the reset, is applied.
    seeds.asked[1]!.resolve(after)
    await changes.until(() => out.some((m) => m.type === 'snapshot'), 'the fresh seed applied')
    const snapshot = out.find((m) => m.type === 'snapshot')
    expect(snapshot).toMatchObject({ epoch: 'e2', data: { last: 101, prev_close: 99 } })
  })

  it('should keep the fresh seed when the one asked for before the reset arrives last', async () => {
    const seeds = heldSeeds()
    const { clock, out, actor, until, changes } = setup([], seeds.seed)
    actor.send({ type: 'resetRequested', reason: 'split' })
    await until(1)
    seeds.asked[1]!.resolve(after)
    await until(2)
    expect(out[1]).toMatchObject({ type: 'snapshot', epoch: 'e2', data: { last: 100, prev_close: 99 } })
    seeds.asked[0]!.resolve(before)
    await flushPromises()
    clock.advance(1000)
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 101)] })
    await changes.until(() => out.some((m) => m.type === 'snapshot' && m.data.last === 101), 'the trade after the late old seed')
    expect(out.filter((m) => m.type === 'snapshot').at(-1)).toMatchObject({ epoch: 'e2', data: { last: 101, prev_close: 99 } })
    expect(out.some((m) => m.data?.prev_close === 396 || m.data?.last === 400)).toBe(false)
  })
})
