/** SymbolActor under sale conditions: the forming minute's trades from before the stream began (TradeHistory) make the first live bar the whole minute; a minute of odd lots only is announced as having no bar; trades follow the condition table of their source. */
import { describe, expect, it } from 'bun:test'
import { minuteClockActor } from '../../test/support/minute-clock-actor'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { simulatedMarket } from '../adapters/simulated/market'
import { SimulatedTrades } from '../adapters/simulated/simulated-trades'
import type { TradeHistory } from '../ports/upstream-trades'
import { Condition, mergeConditions, stockSaleConditions, type ConditionTable } from '../core/trade-conditions'
import { SymbolActor } from './symbol-actor'
import { Changes } from '../../test/support/wait'

// Monday 2026-11-30, 10:17:41.5 New York: the minute started 41.5 s before the stream.
const START = Date.UTC(2026, 10, 30, 15, 17, 41, 500)
const MINUTE = START - (START % 60_000)
const market = simulatedMarket('calendar')

function setup(tradeHistory?: TradeHistory) {
  const clock = new SimulatedClock(START)
  const out: any[] = []
  const changes = new Changes()
  const actor = new SymbolActor({
    symbol: 'AAPL',
    clock,
    flushMs: 0,
    derivedMs: 0,
    source: 'simulated',
    newEpoch: () => 'e1',
    tradeHistory: tradeHistory ?? new SimulatedTrades(market, clock),
    publish: (_s, payload) => {
      out.push(JSON.parse(payload))
      changes.changed()
    },
  })
  actor.start()
  // The stream from the start: the rest of the minute.
  const streamRest = () => actor.send({ type: 'tradesArrived', trades: market.tradesBetween('AAPL', START, MINUTE + 60_000) })
  const lastLive = () => out.filter((m) => m.type === 'bar' && m.data.t === MINUTE && m.data.state === 'live').at(-1)?.data
  return { out, changes, streamRest, lastLive }
}

describe('SymbolActor minute prefix', () => {
  it("seeds the first minute with the provider's trades from before the stream, so its last live bar is the final bar", async () => {
    const { changes, streamRest, lastLive } = setup()
    await changes.until(() => lastLive() !== undefined, 'the seeded live bar')
    streamRest()
    const [final] = market.minuteBars('AAPL', MINUTE, MINUTE + 1, Infinity)
    await changes.until(() => lastLive()?.n === final.n, 'the whole minute')
    const { state: _state, ...bar } = lastLive()
    expect(bar).toEqual(final)
  })

  it('without history the first live bar covers the streamed trades only (as before)', async () => {
    const { changes, streamRest, lastLive } = setup({ tradesBetween: () => Promise.reject(new Error('no trades on this plan')) })
    streamRest()
    await changes.until(() => lastLive() !== undefined, 'a live bar')
    const [final] = market.minuteBars('AAPL', MINUTE, MINUTE + 1, Infinity)
    expect(lastLive().n).toBeLessThan(final.n)
  })
})

describe('SymbolActor no_bar under sale conditions', () => {
  it('announces a minute whose only prints are odd lots as having no bar (no final bar will come for it)', () => {
    // Tuesday 2026-12-01, 10:00:30 New York: the regular session.
    const minute = (k: number) => Date.parse('2026-12-01T15:00:00Z') + k * 60_000
    const { clock, out, actor } = minuteClockActor(minute(0) + 30_000)
    clock.advance(minute(1) + 10_000 - clock.now())
    actor.send({ type: 'tradesArrived', trades: [{ symbol: 'X', p: 10, s: 7, t: minute(1) + 10_000, q: 1, c: [37] }] })
    clock.advance(minute(2) + 5_000 - clock.now())
    expect(out.filter((m) => m.type === 'bar')).toEqual([])
    expect(out.filter((m) => m.type === 'no_bar').map((m) => m.data.t)).toEqual([minute(1)])
    actor.stop()
  })
})

describe('SymbolActor condition table', () => {
  it('applies trades by the table its source holds when they arrive (the provider\'s once read)', () => {
    const clock = new SimulatedClock(Date.parse('2026-12-01T15:00:30Z'))
    const out: any[] = []
    const source: { table: ConditionTable } = { table: stockSaleConditions }
    const actor = new SymbolActor({
      symbol: 'X',
      clock,
      flushMs: 0,
      derivedMs: 0,
      source: 'simulated',
      newEpoch: () => 'e1',
      conditions: source,
      publish: (_s, payload) => out.push(JSON.parse(payload)),
    })
    actor.start()
    const t = clock.now()
    const live = () => out.filter((m) => m.type === 'bar' && m.data.state === 'live').at(-1)?.data
    actor.send({ type: 'tradesArrived', trades: [{ symbol: 'X', p: 10, s: 100, t, q: 1 }] })
    actor.send({ type: 'tradesArrived', trades: [{ symbol: 'X', p: 12, s: 7, t: t + 1, q: 2, c: [Condition.OddLot] }] })
    expect(live()).toMatchObject({ h: 10, c: 10, v: 107 })
    // A (hypothetical) provider table in which odd lots set prices takes effect with the next trades.
    source.table = mergeConditions(stockSaleConditions, [{ id: Condition.OddLot, name: 'Odd Lot Trade', highLow: true, openClose: true, volume: true }])
    actor.send({ type: 'tradesArrived', trades: [{ symbol: 'X', p: 12, s: 7, t: t + 2, q: 3, c: [Condition.OddLot] }] })
    expect(live()).toMatchObject({ h: 12, c: 12, v: 114 })
    actor.stop()
  })
})
