/** When the splits job wakes: a period after start, and at the instant an announced split takes effect (04:00 New York), not up to a period later. On PGlite, with the simulated schedule and a simulated clock. */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { MemoryBus } from '../../src/adapters/memory/memory-bus'
import { createMemoryJobLock } from '../../src/adapters/memory/memory-job-lock'
import { createDb, type DbHandle } from '../../src/adapters/db/client'
import { createBarRepo } from '../../src/adapters/db/repos/bars'
import { SimulatedSplits } from '../../src/adapters/simulated/splits'
import type { Split } from '../../src/core/splits'
import { SplitsService } from '../../src/services/splits-service'
import { createSilentLog } from '../support/silent-log'
import { deferred, flushPromises } from '../support/wait'

const at = (iso: string) => Date.parse(iso)
const MIN = 60_000

describe('splits job schedule', () => {
  let db: DbHandle
  beforeAll(async () => {
    db = await createDb({ databaseUrl: null, dataDir: 'memory://' })
  })
  afterAll(() => db.close())

  it('should wake at 04:00 New York of an announced split and apply it then', async () => {
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
    service.start()
    const tickAfter = async (ms: number) => {
      fetched.next = deferred()
      clock.advance(ms)
      await fetched.next.promise
      // What follows the answer (nothing to apply yet) is in memory: one turn sets the next timer.
      await flushPromises()
    }
    await tickAfter(50 * MIN) // 02:50: learns of the split at 04:00
    await tickAfter(50 * MIN) // 03:40
    clock.advance(20 * MIN) // 04:00: the timer was set for the split, not for 04:30
    const { split, at: when } = await applied.promise
    expect(split).toEqual({ ticker: 'AVGO', executionDate: '2026-11-16', splitFrom: 1, splitTo: 4 })
    expect(when).toBe(at('2026-11-16T09:00:00Z'))
    expect(asked).toEqual([at('2026-11-16T07:50:00Z'), at('2026-11-16T08:40:00Z'), at('2026-11-16T09:00:00Z')])
    expect(service.status()).toMatchObject({ applied: 1, lastError: null })
    service.stop()
  })
})
