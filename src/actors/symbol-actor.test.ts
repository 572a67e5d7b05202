import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import type { Trade, UpstreamSnapshot } from '../core/market-types'
import { SymbolActor, type SymbolActorOptions } from './symbol-actor'
import { Changes, flushPromises } from '../../test/support/wait'
import { minuteClockActor } from '../../test/support/minute-clock-actor'

const trade = (t: number, p = 10): Trade => ({ symbol: 'X', p, s: 1, t, q: t })
const snap: UpstreamSnapshot = { ticker: 'X', last: 9, prevClose: 8, change: 1, changePct: 12.5, updatedAt: 0 }

function setup(over: Partial<SymbolActorOptions> = {}) {
  const clock = new SimulatedClock(1_000_000)
  const out: any[] = []
  let epochs = 0
  let published = 0
  const publishes = new Changes()
  const publish: SymbolActorOptions['publish'] = over.publish ?? ((_s, payload) => out.push(JSON.parse(payload)))
  const actor = new SymbolActor({
    symbol: 'X',
    clock,
    flushMs: 100,
    source: 'simulated',
    newEpoch: () => `e${++epochs}`,
    seed: async () => snap,
    ...over,
    publish: (...args) => {
      publish(...args)
      published++
      publishes.changed()
    },
  })
  actor.start()
  /** Resolves once the actor has published its seeded snapshot (its first message). */
  const seeded = () => publishes.until(() => published > 0, 'the seeded snapshot')
  return { clock, out, actor, seeded, types: () => out.map((m) => m.type) }
}

describe('SymbolActor', () => {
  it('should send the seeded snapshot at start', async () => {
    const { seeded, out } = setup()
    await seeded()
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({
      type: 'snapshot',
      symbol: 'X',
      seq: 1,
      epoch: 'e1',
      data: { last: 9, prev_close: 8 },
    })
  })

  it('should send at most one message per kind per flush window', async () => {
    const { seeded, clock, out, actor, types } = setup({ derivedMs: 0 })
    await seeded()
    clock.advance(200)
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now())] }) // leading edge: sent at once
    expect(types()).toEqual(['snapshot', 'bar', 'trade', 'snapshot'])
    for (let i = 1; i <= 5; i++) {
      clock.advance(15)
      actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 10 + i)] })
    }
    expect(out).toHaveLength(4)
    clock.advance(25) // 100 ms after the leading flush
    expect(types().slice(4)).toEqual(['bar', 'trade', 'snapshot'])
    expect(out[5].data).toMatchObject({ p: 15, count: 5, volume: 5 })
    expect(out.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7])
    clock.advance(1000)
    expect(out).toHaveLength(7)
  })

  it('should send after every event when flushMs is 0', async () => {
    const { seeded, clock, actor, types } = setup({ flushMs: 0 })
    await seeded()
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now())] })
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now() + 1)] })
    expect(types().filter((t) => t === 'trade')).toHaveLength(2)
  })

  it('should send every trade at flush 0 but the live bar and snapshot at most once per derived window, latest value last', async () => {
    const { seeded, clock, out, actor, types } = setup({ flushMs: 0, derivedMs: 100 })
    await seeded()
    clock.advance(1000)
    const start = out.length
    for (let i = 0; i < 10; i++) {
      actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 10 + i)] })
      clock.advance(9) // 10 trades in 90 ms, inside one 100 ms window
    }
    const burst = types().slice(start)
    expect(burst.filter((t) => t === 'trade')).toHaveLength(10)
    // The first trade opened the window (bar + snapshot at once); the rest wait for its end.
    expect(burst.filter((t) => t === 'bar')).toHaveLength(1)
    expect(burst.filter((t) => t === 'snapshot')).toHaveLength(1)
    clock.advance(10) // 100 ms after the first trade: due, but waiting for a trade to ride along
    expect(out.length).toBe(start + burst.length)
    clock.advance(100) // the symbol went quiet: sent on their own
    const after = out.slice(start + burst.length)
    expect(after.map((m) => m.type)).toEqual(['bar', 'snapshot'])
    expect(after[0].data).toMatchObject({ state: 'live', c: 19, h: 19, o: 10 })
    expect(after[1].data.last).toBe(19)
    clock.advance(1000)
    expect(out.length).toBe(start + burst.length + 2)
  })

  it("should send a busy symbol's derived state in the same flush as a trade at flush 0", async () => {
    const flushes: string[][] = []
    const { seeded, clock, actor } = setup({
      flushMs: 0,
      derivedMs: 100,
      publish: (_s, payload) => {
        const m = JSON.parse(payload)
        const last = flushes.at(-1)
        if (last && (last as any).ts === m.ts) last.push(m.type)
        else flushes.push(Object.assign([m.type], { ts: m.ts }))
      },
    })
    await seeded()
    clock.advance(1000)
    flushes.length = 0
    for (let i = 0; i < 40; i++) {
      actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 10 + (i % 5))] })
      clock.advance(30)
    }
    // Every flush carries a trade (one bus publish per event); derived state about every 100 ms.
    expect(flushes.every((f) => f.includes('trade'))).toBe(true)
    const derived = flushes.filter((f) => f.includes('bar')).length
    expect(derived).toBeGreaterThanOrEqual(8)
    expect(derived).toBeLessThanOrEqual(13)
  })

  it('should send a symbol trading a few times a second about one message per trade by default at flush 0', async () => {
    const { seeded, clock, out, actor, types } = setup({ flushMs: 0 })
    await seeded()
    clock.advance(5000)
    const start = out.length
    for (let i = 0; i < 100; i++) {
      actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 10 + (i % 7))] })
      clock.advance(300) // 3.3 trades a second, 30 s
    }
    const sent = types().slice(start)
    expect(sent.filter((t) => t === 'trade')).toHaveLength(100)
    // Bar and snapshot about once a second (a 100 ms window would send them with every trade: 300 messages).
    const derived = sent.filter((t) => t === 'snapshot').length
    expect(derived).toBeGreaterThanOrEqual(20)
    expect(derived).toBeLessThanOrEqual(31)
    expect(sent.length).toBeLessThanOrEqual(100 + 2 * 31)
    const lastSnapshot = out.findLast((m) => m.type === 'snapshot')
    clock.advance(3000) // quiet: the latest values follow on their own
    expect(out.findLast((m) => m.type === 'snapshot').data.last).toBe(10 + (99 % 7))
    expect(out.findLast((m) => m.type === 'snapshot')).not.toBe(lastSnapshot)
  })

  it('should send a trade by the end of its flush window while derived state waits for its own', async () => {
    const { seeded, clock, out, actor } = setup({ flushMs: 100, derivedMs: 1000 })
    await seeded()
    clock.advance(5000)
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 11)] }) // opens a window: all sent
    clock.advance(300)
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 12)] }) // trade only; bar and snapshot wait
    clock.advance(50)
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 13)] }) // inside the window, then quiet
    clock.advance(50)
    expect(out.filter((m) => m.type === 'trade').at(-1).data.p).toBe(13)
  })

  it('should start a new epoch with seq 1 and re-send the snapshot when continuity is lost', async () => {
    const { seeded, actor, out } = setup({ flushMs: 0 })
    await seeded()
    actor.send({ type: 'continuityLost' })
    expect(out.at(-1)).toMatchObject({ type: 'snapshot', epoch: 'e2', seq: 1 })
    expect(actor.epoch).toBe('e2')
  })

  it('should stay silent without an audience and catch the audience up when it returns', async () => {
    const { seeded, clock, actor, out, types } = setup({ flushMs: 0 })
    await seeded()
    actor.send({ type: 'audienceChanged', active: false })
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now(), 12)] })
    expect(out).toHaveLength(1)
    actor.send({ type: 'audienceChanged', active: true })
    expect(types().slice(1)).toEqual(['bar', 'snapshot'])
    expect(out.at(-1).data.last).toBe(12)
  })

  it('should re-publish its latest messages unchanged on replay', async () => {
    const published: string[] = []
    const { seeded, clock, actor } = setup({ flushMs: 0, publish: (_s, p) => published.push(p) })
    await seeded()
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now())] })
    const before = [...published]
    actor.send({ type: 'replayRequested' })
    expect(published.slice(before.length).sort()).toEqual(before.slice(-3).sort())
  })

  it('should retry a failed seed with backoff', async () => {
    let calls = 0
    const { clock, out, seeded } = setup({
      seed: async () => (++calls === 1 ? Promise.reject(new Error('down')) : snap),
      random: () => 0,
    })
    await flushPromises() // the failed seed is handled and its retry scheduled on the simulated clock
    expect(out).toHaveLength(0)
    clock.advance(499)
    await flushPromises()
    expect(calls).toBe(1)
    clock.advance(1)
    await seeded()
    expect(calls).toBe(2)
    expect(out.map((m) => m.type)).toEqual(['snapshot'])
  })

  it('should stop sending and cancel its timers when stopped', async () => {
    const { seeded, clock, actor, out } = setup()
    await seeded()
    clock.advance(200)
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now())] })
    actor.send({ type: 'tradesArrived', trades: [trade(clock.now() + 1)] })
    const n = out.length
    actor.stop()
    clock.advance(1000)
    expect(out).toHaveLength(n)
    expect(actor.send({ type: 'flushDue' })).toBe(false)
  })

  it('should announce each minute that ended with no bar once, after its grace, and never one that traded or got its bar', async () => {
    // Tuesday 2026-12-01, 10:00:30 New York: the regular session.
    const start = Date.parse('2026-12-01T15:00:30Z')
    const minute = (k: number) => Date.parse('2026-12-01T15:00:00Z') + k * 60_000
    const { clock, out, actor } = minuteClockActor(start)
    const noBars = () => out.filter((m) => m.type === 'no_bar').map((m) => [m.data.t, m.event_ts])
    // 10:01 trades and gets its bar; 10:02 is silent; 10:03 gets a provider bar only.
    clock.advance(minute(1) + 10_000 - clock.now())
    actor.send({ type: 'tradesArrived', trades: [trade(minute(1) + 10_000)] })
    clock.advance(minute(2) + 2_000 - clock.now())
    actor.send({ type: 'barsArrived', bars: [{ symbol: 'X', t: minute(1), e: minute(2), o: 10, h: 10, l: 10, c: 10, v: 1, vw: 10, n: 1 }] })
    clock.advance(minute(3) + 4_999 - clock.now())
    expect(noBars()).toEqual([])
    clock.advance(1) // 10:02's grace is over
    expect(noBars()).toEqual([[minute(2), minute(3)]])
    clock.advance(minute(4) + 1_000 - clock.now())
    actor.send({ type: 'barsArrived', bars: [{ symbol: 'X', t: minute(3), e: minute(4), o: 10, h: 10, l: 10, c: 10, v: 1, vw: 10, n: 1 }] })
    clock.advance(minute(6) + 5_000 - clock.now())
    expect(noBars()).toEqual([
      [minute(2), minute(3)],
      [minute(4), minute(5)],
      [minute(5), minute(6)],
    ])
    const seqs = out.map((m) => m.seq)
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
    actor.stop()
  })

  it('should announce no minute of a gap in the feed, and judge minutes again from the next session on', async () => {
    const start = Date.parse('2026-12-01T15:00:30Z') // 10:00:30 New York
    const minute = (k: number) => Date.parse('2026-12-01T15:00:00Z') + k * 60_000
    const { clock, out, actor } = minuteClockActor(start)
    const noBars = () => out.filter((m) => m.type === 'no_bar').map((m) => m.data.t)
    clock.advance(minute(2) + 5_000 - clock.now())
    expect(noBars()).toEqual([minute(1)])
    actor.send({ type: 'feedInterrupted' }) // 10:02:05: the provider connection drops
    clock.advance(minute(8) - clock.now())
    expect(noBars()).toEqual([minute(1)])
    actor.send({ type: 'continuityLost' }) // 10:08: a new session; 10:08 itself was partly missed
    clock.advance(minute(10) + 5_000 - clock.now())
    expect(noBars()).toEqual([minute(1), minute(9)])
    actor.stop()
  })
})
