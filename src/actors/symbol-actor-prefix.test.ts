/** SymbolActor: the forming minute's trades from before the stream began (TradeHistory) make the first live bar the whole minute. */
import { describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import { simulatedMarket } from '../adapters/simulated/market'
import { SimulatedTrades } from '../adapters/simulated/simulated-trades'
import type { TradeHistory } from '../ports/upstream-trades'
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
