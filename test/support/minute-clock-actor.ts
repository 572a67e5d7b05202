/** A SymbolActor on a simulated clock that flushes every event and announces empty minutes 5 s after their end, with what it published. */
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { SymbolActor } from '../../src/actors/symbol-actor'

/** An actor on a simulated clock from `start`, flushing every event, announcing empty minutes 5 s after their end. */
export function minuteClockActor(start: number) {
  const clock = new SimulatedClock(start)
  const out: any[] = []
  const actor = new SymbolActor({
    symbol: 'X',
    clock,
    flushMs: 0,
    source: 'simulated',
    newEpoch: () => 'e1',
    minuteCloseGraceMs: 5_000,
    publish: (_s, payload) => out.push(JSON.parse(payload)),
  })
  actor.start()
  return { clock, out, actor }
}
