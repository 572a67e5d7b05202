/** BoundedSemaphore: concurrency cap, FIFO queue, refusal beyond the queue, slots handed on after failures too. */
import { describe, expect, it } from 'bun:test'
import { BoundedSemaphore } from './bounded-semaphore'

/** A task the test finishes by hand, recording when it started. */
function gatedTask(started: string[], name: string) {
  let finish!: (value: string) => void
  let fail!: (error: Error) => void
  const done = new Promise<string>((resolve, reject) => ((finish = resolve), (fail = reject)))
  const task = () => (started.push(name), done)
  return { task, finish: () => finish(name), fail: () => fail(new Error(name)) }
}

/** Lets queued promise reactions run (no timers involved). */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

describe('BoundedSemaphore', () => {
  it('should run at most `concurrency` tasks, queue the next ones in order, and refuse beyond the queue', async () => {
    const gate = new BoundedSemaphore(2, 2)
    const started: string[] = []
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((n) => gatedTask(started, n))
    const runs = tasks.map((t) => gate.tryRun(t.task))
    await settle()
    expect(started).toEqual(['a', 'b'])
    expect(runs[4]).toBeNull()
    expect(gate.stats()).toEqual({ running: 2, queued: 2, refused: 1 })

    tasks[1].finish()
    expect(await runs[1]).toBe('b')
    await settle()
    expect(started).toEqual(['a', 'b', 'c'])
    expect(gate.stats()).toEqual({ running: 2, queued: 1, refused: 1 })

    tasks[0].fail() // a failed task hands its slot on too
    await expect(runs[0]!).rejects.toThrow('a')
    await settle()
    expect(started).toEqual(['a', 'b', 'c', 'd'])
    tasks[2].finish()
    tasks[3].finish()
    expect(await Promise.all([runs[2], runs[3]])).toEqual(['c', 'd'])
    expect(gate.stats()).toEqual({ running: 0, queued: 0, refused: 1 })
  })

  it('should refuse at once with no queue when every slot is taken, and accept again when one frees', async () => {
    const gate = new BoundedSemaphore(1, 0)
    const started: string[] = []
    const first = gatedTask(started, 'first')
    const run = gate.tryRun(first.task)
    expect(gate.tryRun(async () => 'second')).toBeNull()
    first.finish()
    await run
    expect(await gate.tryRun(async () => 'third')).toBe('third')
    expect(gate.stats()).toEqual({ running: 0, queued: 0, refused: 1 })
  })

  it('should hand the slot on when a task throws synchronously', async () => {
    const gate = new BoundedSemaphore(1, 1)
    const boom = gate.tryRun(() => {
      throw new Error('boom')
    })
    await expect(boom!).rejects.toThrow('boom')
    expect(await gate.tryRun(async () => 1)).toBe(1)
    expect(gate.stats().running).toBe(0)
  })

  it('should refuse nonsense bounds', () => {
    expect(() => new BoundedSemaphore(0, 1)).toThrow(RangeError)
    expect(() => new BoundedSemaphore(1, -1)).toThrow(RangeError)
  })
})
