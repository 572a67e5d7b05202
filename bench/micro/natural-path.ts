/** Micro-benchmark of the holder's fixed cost at the natural rate: the simulated feed (its own market, around the clock) through the SymbolHub's actors to serialised publishes, on a simulated clock, no sockets. `bun bench/micro/natural-path.ts [minutes]` */
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { SimulatedFeed } from '../../src/adapters/simulated/simulated-feed'
import { simulatedMarket } from '../../src/adapters/simulated/market'
import { universe } from '../lib/market'
import { holderHub } from './holder-hub'

const minutes = Number(process.argv[2] ?? 10)
const symbols = universe.slice(0, 200)
// A Wednesday 11:00 New York: the regular session's midday rate (as SIMULATED_MARKET_HOURS=always is at any hour).
const clock = new SimulatedClock(Date.parse('2026-12-02T11:00:00-05:00'))
const published = { messages: 0, bytes: 0, trades: 0 }
const hub = await holderHub(
  clock,
  symbols,
  (_symbol, payload) => {
    published.messages++
    published.bytes += payload.length
  },
  'simulated',
)

// A fixed sequence of tick lengths (the feed's 100–250 ms), the same in every run.
let seed = 42
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
const feed = new SimulatedFeed({ clock, random, market: simulatedMarket('always') })
const session = feed.open({
  trades: (t) => ((published.trades += t.length), hub.trades(t)),
  quotes: (q) => hub.quotes(q),
  bars: (b) => hub.bars(b),
  status: () => {},
  closed: () => {},
})
session.subscribe(symbols)

/** Advances the clock by `ms` in 10 ms steps (timers fire as they come due). */
function run(ms: number): number {
  const cpu0 = process.cpuUsage()
  for (let t = 0; t < ms; t += 10) clock.advance(10)
  const cpu = process.cpuUsage(cpu0)
  return (cpu.user + cpu.system) / 1000
}
run(60_000) // warm-up: a minute, JIT and the first minute's tapes
const before = { ...published }
const cpuMs = run(minutes * 60_000)
const simulatedSec = minutes * 60
const messages = published.messages - before.messages
const trades = published.trades - before.trades
console.log(
  `${minutes} simulated minutes, ${symbols.length} symbols: ${(trades / simulatedSec).toFixed(1)} trades/s, ` +
    `${(messages / simulatedSec).toFixed(1)} publishes/s; CPU ${(cpuMs / simulatedSec).toFixed(2)} ms per simulated second ` +
    `(${((cpuMs * 1000) / messages).toFixed(1)} µs per publish, ${((cpuMs * 1000) / trades).toFixed(1)} µs per trade)`,
)
session.close()
hub.stop()
process.exit(0)
