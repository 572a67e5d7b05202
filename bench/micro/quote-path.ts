/** Micro-benchmark of the per-event upstream path on the holder: a bench upstream frame (25 trades, 5 quotes after each) parsed (feed-wire.ts) and routed through the SymbolHub into SymbolActors, publishing to nowhere. `bun bench/micro/quote-path.ts [quotesPerTrade]` */
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { parseFeedFrame } from '../../src/adapters/massive/feed-wire'
import { universe } from '../lib/market'
import { holderHub } from './holder-hub'

const quotesPerTrade = Number(process.argv[2] ?? 5)
const symbols = universe.slice(0, 200)
let q = 0

/** The frame bench/load/upstream.ts sends: `n` trades round-robin over the symbols, each followed by its quotes. */
function frame(n: number, t: number): string {
  let out = '['
  for (let i = 0; i < n; i++) {
    const sym = symbols[q % symbols.length]
    q++
    const p = 100 + (q % 1000) / 100
    out += `${i ? ',' : ''}{"ev":"T","sym":"${sym}","i":"${q}","x":4,"p":${p},"s":${1 + (q % 300)},"c":[],"t":${t},"q":${q},"z":3}`
    for (let k = 0; k < quotesPerTrade; k++)
      out += `,{"ev":"Q","sym":"${sym}","bx":4,"bp":${(p * 100 - 1 - k) / 100},"bs":${1 + k},"ax":7,"ap":${(p * 100 + 1 + k) / 100},"as":${2 + k},"c":0,"i":[],"t":${t},"q":${q * 8 + k},"z":3}`
  }
  return out + ']'
}

const clock = new SimulatedClock(Date.UTC(2025, 2, 12, 15, 0))
let published = 0
const hub = await holderHub(clock, symbols, () => void published++)

const frames = Array.from({ length: 400 }, (_, i) => frame(25, clock.now() + i))
function run(rounds: number, stage: 'parse' | 'route'): number {
  const t0 = performance.now()
  for (let r = 0; r < rounds; r++)
    for (const f of frames) {
      const items = parseFeedFrame(f)
      if (stage === 'parse') continue
      for (const item of items) {
        if (item.kind === 'trades') hub.trades(item.trades)
        else if (item.kind === 'quotes') hub.quotes(item.quotes)
      }
      clock.advance(5)
    }
  return performance.now() - t0
}
for (const stage of ['parse', 'route'] as const) {
  run(3, stage)
  const rounds = 10
  const ms = run(rounds, stage)
  const events = rounds * frames.length * 25 * (1 + quotesPerTrade)
  console.log(`${stage}: ${((ms * 1000) / events).toFixed(3)} µs per upstream event (${quotesPerTrade} quotes per trade), ${published} published`)
}
hub.stop()
