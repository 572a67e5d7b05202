/** Stream seeds batched through the snapshot cache: window, per-call limit, failures, calls in flight, the cache shared with the REST endpoint, budget priorities and bounds. */
import { describe, expect, it } from 'bun:test'
import { UpstreamUnavailableError } from '../errors'
import { SimulatedClock } from '../adapters/memory/simulated-clock'
import type { RequestPriority, UpstreamRest } from '../ports/upstream'
import type { UpstreamSnapshot } from '../core/market-types'
import type { BarsService } from './bars-service'
import { SnapshotsService, type SnapshotsOptions } from './snapshots-service'
import {
  SEED_BATCH_WINDOW_MS,
  UpstreamSnapshotCache,
  type UpstreamSnapshotCacheOptions,
} from './upstream-snapshot-cache'
import { Changes, flushPromises } from '../../test/support/wait'

const snapshotOf = (ticker: string): UpstreamSnapshot => ({
  ticker,
  last: 11,
  prevClose: 10,
  change: 1,
  changePct: 10,
  updatedAt: 1_000,
})

/** One fetchSnapshots call as the upstream saw it; the test answers it (or fails it) when it likes. */
interface RecordedCall {
  tickers: string[]
  priority: RequestPriority | undefined
  answer(): void
  fail(error: Error): void
}

/** An upstream that records every snapshot call and knows every ticker but ZZZZ. */
function recordingUpstream() {
  const calls: RecordedCall[] = []
  const callMade = new Changes()
  const upstream: UpstreamRest = {
    name: 'simulated',
    fetchSnapshots(tickers, priority) {
      const { promise, resolve, reject } = Promise.withResolvers<Map<string, UpstreamSnapshot>>()
      const known = tickers.filter((t) => t !== 'ZZZZ')
      calls.push({
        tickers: [...tickers],
        priority,
        answer: () => resolve(new Map(known.map((t) => [t, snapshotOf(t)]))),
        fail: reject,
      })
      callMade.changed()
      return promise
    },
    fetchBars: () => Promise.reject(new Error('not used')),
    lookupTicker: () => Promise.reject(new Error('not used')),
    status: () => ({
      name: 'simulated',
      health: 'ok',
      budget: { limitPerMinute: null, remaining: null, resetsAt: null },
      requests: calls.length,
    }),
  }
  /** Resolves once the upstream has been called `n` times in all. */
  const calledTimes = (n: number) => callMade.until(() => calls.length >= n, `${n} snapshot calls`)
  return { upstream, calls, calledTimes }
}

function setup(opts: Partial<SnapshotsOptions & UpstreamSnapshotCacheOptions> = {}) {
  const clock = new SimulatedClock(1_000_000)
  const { upstream, calls, calledTimes } = recordingUpstream()
  // Every ticker these tests ask the REST side for has a snapshot, so the bars service is never consulted.
  const bars = {} as BarsService
  const { maxTickers = 100, liveFreshMs = 10_000, ...cacheOpts } = opts
  const cache = new UpstreamSnapshotCache(upstream, clock, { cacheTtlMs: 2000, ...cacheOpts })
  const snapshots = new SnapshotsService(cache, bars, clock, { maxTickers, liveFreshMs }, { liveSnapshot: () => null }, () => 'open')
  // Stream seeds ask the cache; REST requests ask the snapshots service in front of the same cache.
  const service = { seed: (t: string) => cache.seed(t), get: (values: string[]) => snapshots.get(values) }
  return { clock, calls, calledTimes, service }
}


describe('UpstreamSnapshotCache.seed', () => {
  it('should gather the seeds of one window into one upstream call', async () => {
    const { clock, calls, service } = setup()
    const seeds = ['AAPL', 'MSFT', 'ZZZZ', 'AAPL'].map((t) => service.seed(t))
    clock.advance(SEED_BATCH_WINDOW_MS - 1)
    expect(calls).toHaveLength(0)
    clock.advance(1)
    expect(calls.map((c) => c.tickers)).toEqual([['AAPL', 'MSFT', 'ZZZZ']])
    calls[0]!.answer()
    const [aapl, msft, unknown, aaplAgain] = await Promise.all(seeds)
    expect(aapl).toMatchObject({ ticker: 'AAPL', prevClose: 10 })
    expect(msft).toMatchObject({ ticker: 'MSFT', prevClose: 10 })
    expect(unknown).toBeNull()
    expect(aaplAgain).toEqual(aapl)
  })

  it('should send a batch at once when it reaches the per-call ticker limit', async () => {
    const { clock, calls, service } = setup({ seedBatchMax: 3 })
    const seeds = ['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((t) => service.seed(t))
    expect(calls.map((c) => c.tickers)).toEqual([
      ['A', 'B', 'C'],
      ['D', 'E', 'F'],
    ])
    clock.advance(SEED_BATCH_WINDOW_MS)
    expect(calls.map((c) => c.tickers)).toEqual([['A', 'B', 'C'], ['D', 'E', 'F'], ['G']])
    for (const call of calls) call.answer()
    expect((await Promise.all(seeds)).map((s) => s?.ticker)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G'])
  })

  it('should reject every seed waiting on a failed call, cache nothing, and ask again next time', async () => {
    const { clock, calls, service } = setup()
    const seeds = ['AAPL', 'MSFT'].map((t) => service.seed(t))
    clock.advance(SEED_BATCH_WINDOW_MS)
    const error = new UpstreamUnavailableError('the provider is away')
    calls[0]!.fail(error)
    expect(await Promise.allSettled(seeds)).toEqual([
      { status: 'rejected', reason: error },
      { status: 'rejected', reason: error },
    ])
    const retry = service.seed('AAPL')
    clock.advance(SEED_BATCH_WINDOW_MS)
    expect(calls.map((c) => c.tickers)).toEqual([['AAPL', 'MSFT'], ['AAPL']])
    calls[1]!.answer()
    expect(await retry).toMatchObject({ ticker: 'AAPL' })
    await flushPromises() // an unhandled rejection (in memory) would surface now: bun test fails the test on any
  })

  it('should join a seed to the call already on its way for the same ticker', async () => {
    const { clock, calls, service } = setup()
    const first = service.seed('AAPL')
    clock.advance(SEED_BATCH_WINDOW_MS)
    const second = service.seed('AAPL')
    clock.advance(SEED_BATCH_WINDOW_MS)
    expect(calls).toHaveLength(1)
    calls[0]!.answer()
    expect(await second).toEqual((await first)!)
  })

  it('should fill the cache the REST endpoint reads, and read the one it fills', async () => {
    const { clock, calls, service } = setup()
    const seeds = ['NVDA', 'TSLA'].map((t) => service.seed(t))
    clock.advance(SEED_BATCH_WINDOW_MS)
    calls[0]!.answer()
    await Promise.all(seeds)
    const rest = await service.get(['NVDA,TSLA'])
    expect(rest.results.map((r) => [r.ticker, r.source])).toEqual([
      ['NVDA', 'REST'],
      ['TSLA', 'REST'],
    ])
    expect(calls).toHaveLength(1)

    const restFirst = service.get(['AMD'])
    expect(calls).toHaveLength(2)
    calls[1]!.answer()
    await restFirst
    expect(await service.seed('AMD')).toMatchObject({ ticker: 'AMD' })
    expect(calls).toHaveLength(2)

    clock.advance(2000)
    const stale = service.seed('AMD')
    clock.advance(SEED_BATCH_WINDOW_MS)
    expect(calls.map((c) => c.tickers).at(-1)).toEqual(['AMD'])
    calls[2]!.answer()
    await stale
  })

  it('should send the seeds still gathering along with a REST request, in one call', async () => {
    const { clock, calls, service } = setup()
    const seed = service.seed('AAPL')
    const rest = service.get(['MSFT'])
    expect(calls.map((c) => c.tickers)).toEqual([['AAPL', 'MSFT']])
    calls[0]!.answer()
    expect((await rest).results.map((r) => r.ticker)).toEqual(['MSFT'])
    expect(await seed).toMatchObject({ ticker: 'AAPL' })
    clock.advance(SEED_BATCH_WINDOW_MS)
    expect(calls).toHaveLength(1)
  })
})

describe('UpstreamSnapshotCache budget priority and bounds', () => {
  it('should send seeds alone as background calls, and any call a REST request joins as interactive', async () => {
    const { clock, calls, service } = setup()
    const seed = service.seed('AAPL')
    clock.advance(SEED_BATCH_WINDOW_MS)
    const joined = [service.seed('MSFT'), service.get(['MSFT'])]
    expect(calls.map((c) => [c.tickers, c.priority])).toEqual([
      [['AAPL'], 'background'],
      [['MSFT'], 'interactive'],
    ])
    for (const call of calls) call.answer()
    await Promise.all([seed, ...joined])
  })

  it('should ask again as interactive when the seeds-only call a REST request joined is refused', async () => {
    const { clock, calls, calledTimes, service } = setup()
    const seed = service.seed('AAPL')
    clock.advance(SEED_BATCH_WINDOW_MS)
    const rest = service.get(['AAPL'])
    calls[0]!.fail(new UpstreamUnavailableError('only the interactive reserve is left'))
    await calledTimes(2)
    expect(calls.map((c) => [c.tickers, c.priority])).toEqual([
      [['AAPL'], 'background'],
      [['AAPL'], 'interactive'],
    ])
    calls[1]!.answer()
    expect((await rest).results.map((r) => r.ticker)).toEqual(['AAPL'])
    expect(await Promise.allSettled([seed])).toMatchObject([{ status: 'rejected' }])
  })

  it('should keep at most 10,000 tickers cached', async () => {
    const { calls, service } = setup({ maxTickers: 1000 })
    for (let i = 0; i < 11; i++) {
      const tickers = Array.from({ length: 1000 }, (_, j) => `T${i * 1000 + j}`)
      const answered = service.get(tickers)
      calls.at(-1)!.answer()
      await answered
    }
    // The first thousand were forgotten: asking for them again calls the upstream; the newest are still cached.
    const again = service.get(['T0', 'T10999'])
    expect(calls.at(-1)!.tickers).toEqual(['T0'])
    calls.at(-1)!.answer()
    await again
  })
})
