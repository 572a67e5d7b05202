/** Micro-benchmark: delay from a trade's arrival at the SymbolHub to the publish of its window's trade message, flush 100, 200 busy symbols, real timers. `bun bench/micro/flush-latency.ts [tradesPerSec] [seconds]` */
import { createSystemClock } from '../../src/adapters/clock/system-clock'
import { universe } from '../lib/market'
import { holderHub } from './holder-hub'

const rate = Number(process.argv[2] ?? 100_000)
const seconds = Number(process.argv[3] ?? 5)
const symbols = universe.slice(0, 200)
const clock = createSystemClock()
const delays: number[] = []
const turns = new Set<number>()
const hub = await holderHub(clock, symbols, (_s, payload) => {
  if (!payload.startsWith('{"type":"trade"')) return
  const t = Number(/"event_ts":(\d+)/.exec(payload)![1])
  delays.push(performance.timeOrigin + performance.now() - t)
  turns.add(Math.floor(performance.now() * 10))
})
let q = 0
const start = performance.now()
let sent = 0
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const due = Math.floor(((performance.now() - start) * rate) / 1000) - sent
    const trades = []
    for (let i = 0; i < due; i++) {
      const symbol = symbols[(sent + i) % symbols.length]!
      trades.push({ symbol, p: 100 + (q % 50) / 10, s: 100, t: Date.now(), q: ++q })
    }
    sent += due
    if (trades.length) hub.trades(trades)
    if (performance.now() - start > seconds * 1000) (clearInterval(tick), resolve())
  }, 1)
})
delays.sort((a, b) => a - b)
const pct = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))]!.toFixed(1)
console.log(`${rate} trades/s: ${delays.length} trade messages; delay arrival→publish p50 ${pct(0.5)} p99 ${pct(0.99)} max ${pct(1)} ms; publish turns (0.1 ms buckets) ${turns.size}`)
hub.stop()
process.exit(0)
