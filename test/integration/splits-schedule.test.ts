/** When the splits job wakes: right at start (one replica at a time, the provider's answer not awaited), then every period, and at the instant an announced split takes effect (04:00 New York), not up to a period later. On PGlite, with the simulated schedule and a simulated clock. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { MemoryBus } from '../../src/adapters/memory/memory-bus'
import { createMemoryJobLock } from '../../src/adapters/memory/memory-job-lock'
import { createDb, type DbHandle } from '../../src/adapters/db/client'
import { createBarRepo } from '../../src/adapters/db/repos/bars'
import { SimulatedSplits } from '../../src/adapters/simulated/splits'
import type { Split } from '../../src/core/splits'
import type { JobLock } from '../../src/ports/job-lock'
import { SplitsService } from '../../src/services/splits-service'
import { createSilentLog } from '../support/silent-log'
import { Changes, deferred, flushPromises } from '../support/wait'

const at = (iso: string) => Date.parse(iso)
const MIN = 60_000

describe('splits job schedule', () => {
  let db: DbHandle
  beforeAll(async () => {
    db = await createDb({ databaseUrl: null, dataDir: 'memory://' })
  })
  afterAll(() => db.close())

  /** A service over the simulated schedule (or `fetchSplits` given) on the PGlite bar store, with a simulated clock. */
  const serviceAt = (
    clock: SimulatedClock,
    opts: { fetchSplits?: (from: string, to: string) => Promise<Split[]>; lock?: JobLock; onSplit?: (split: Split) => void } = {},
  ) => {
    const schedule = new SimulatedSplits()
    return new SplitsService(
      {
        upstream: { fetchSplits: opts.fetchSplits ?? ((from, to) => schedule.fetchSplits(from, to)) },
        repo: createBarRepo(db.db),
        bus: new MemoryBus(),
        lock: opts.lock ?? createMemoryJobLock(),
        clock,
        log: createSilentLog(),
        onSplit: opts.onSplit ?? (() => {}),
      },
      { intervalMs: 50 * MIN, lookbackDays: 30 },
    )
  }

  it('should apply a split already in effect right at start, not a period later, one replica at a time', async () => {
    await db.db.execute(sql`DELETE FROM applied_splits WHERE ticker = 'AVGO'`)
    const clock = new SimulatedClock(at('2026-11-16T15:00:00Z')) // Monday 10:00 New York, the split in effect since 04:00
    const lock = createMemoryJobLock()
    const answer = deferred()
    const asked: number[] = []
    const fetchSplits = async (from: string, to: string) => {
      asked.push(clock.now())
      await answer.promise
      return new SimulatedSplits().fetchSplits(from, to)
    }
    const applied = deferred<{ split: Split; at: number }>()
    const first = serviceAt(clock, { fetchSplits, lock, onSplit: (split) => applied.resolve({ split, at: clock.now() }) })
    const second = serviceAt(clock, { fetchSplits, lock })
    // Both replicas start while the provider has not answered: start returns at once, and the
    // second finds the job held rather than asking again.
    first.start()
    second.start()
    await flushPromises()
    expect(asked).toEqual([clock.now()])
    expect(first.status().lastRunAt).toBe('2026-11-16T15:00:00.000Z')
    answer.resolve()
    const { split, at: when } = await applied.promise
    expect(split.ticker).toBe('AVGO')
    expect(when).toBe(at('2026-11-16T15:00:00Z')) // no clock advance: the first pass ran at start
    expect(first.status()).toMatchObject({ applied: 1, lastError: null })
    expect(second.status().applied).toBe(0)
    first.stop()
    second.stop()
  })

  it('should try again within 30 s when its first pass could not take the job lock (its store unreachable at boot), not a period later', async () => {
    await db.db.execute(sql`DELETE FROM applied_splits WHERE ticker = 'AVGO'`)
    const clock = new SimulatedClock(at('2026-11-16T15:00:00Z'))
    let lockUp = false
    const tried = new Changes()
    let tries = 0
    const memory = createMemoryJobLock()
    // The lock's store answers "not taken" while it is down (as the Redis lock does when SET fails).
    const lock: JobLock = {
      runExclusive: async (name, ttlMs, fn) => (tries++, tried.changed(), lockUp ? memory.runExclusive(name, ttlMs, fn) : false),
    }
    const applied = deferred<number>()
    const service = serviceAt(clock, { lock, onSplit: () => applied.resolve(clock.now()) })
    service.start()
    await tried.until(() => tries === 1, 'the first pass tried the lock')
    await flushPromises()
    expect(service.status()).toMatchObject({ lastRunAt: null, applied: 0 })
    lockUp = true
    clock.advance(30_000)
    expect(await applied.promise).toBe(at('2026-11-16T15:00:30Z'))
    expect(service.status().applied).toBe(1)
    service.stop()
  })

  it('should not throw at start when the provider is down, and ask again a period later', async () => {
    const clock = new SimulatedClock(at('2026-11-16T15:00:00Z'))
    const asked: number[] = []
    let down = true
    const changes = new Changes()
    const service = serviceAt(clock, {
      fetchSplits: async () => {
        asked.push(clock.now())
        changes.changed()
        if (down) throw new Error('provider unreachable')
        return []
      },
    })
    service.start()
    await changes.until(() => asked.length === 1, 'the first pass asked')
    await flushPromises() // the failure is recorded and the timer set, in memory
    expect(service.status().lastError).toBe('provider unreachable')
    down = false
    clock.advance(50 * MIN)
    await changes.until(() => asked.length === 2, 'the second pass asked')
    await flushPromises()
    expect(asked).toEqual([at('2026-11-16T15:00:00Z'), at('2026-11-16T15:50:00Z')])
    expect(service.status().lastError).toBeNull()
    service.stop()
  })

  it('should wake at 04:00 New York of an announced split and apply it then', async () => {
    await db.db.execute(sql`DELETE FROM applied_splits WHERE ticker = 'AVGO'`)
    const clock = new SimulatedClock(at('2026-11-16T07:00:00Z')) // Monday 02:00 New York
    const schedule = new SimulatedSplits()
    const asked: number[] = []
    const fetched = { next: deferred() }
    const applied = deferred<{ split: Split; at: number }>()
    const service = new SplitsService(
      {
        upstream: {
          fetchSplits: async (from, to) => {
            asked.push(clock.now())
            const got = await schedule.fetchSplits(from, to)
            fetched.next.resolve()
            return got
          },
        },
        repo: createBarRepo(db.db),
        bus: new MemoryBus(),
        lock: createMemoryJobLock(),
        clock,
        log: createSilentLog(),
        onSplit: (split) => applied.resolve({ split, at: clock.now() }),
      },
      { intervalMs: 50 * MIN, lookbackDays: 30 },
    )
    service.start() // 02:00: the first pass at once learns of the split at 04:00
    await fetched.next.promise
    await flushPromises()
    const tickAfter = async (ms: number) => {
      fetched.next = deferred()
      clock.advance(ms)
      await fetched.next.promise
      // What follows the answer (nothing to apply yet) is in memory: one turn sets the next timer.
      await flushPromises()
    }
    await tickAfter(50 * MIN) // 02:50
    await tickAfter(50 * MIN) // 03:40
    clock.advance(20 * MIN) // 04:00: the timer was set for the split, not for 04:30
    const { split, at: when } = await applied.promise
    expect(split).toEqual({ ticker: 'AVGO', executionDate: '2026-11-16', splitFrom: 1, splitTo: 4 })
    expect(when).toBe(at('2026-11-16T09:00:00Z'))
    expect(asked).toEqual([at('2026-11-16T07:00:00Z'), at('2026-11-16T07:50:00Z'), at('2026-11-16T08:40:00Z'), at('2026-11-16T09:00:00Z')])
    expect(service.status()).toMatchObject({ applied: 1, lastError: null })
    service.stop()
  })
})
