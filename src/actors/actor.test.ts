import { describe, expect, it } from 'bun:test'
import { Actor, type ActorOptions } from './actor'

class Recorder extends Actor<string> {
  readonly seen: string[] = []
  constructor(
    private readonly behave: (m: string, self: Recorder) => void | Promise<void> = () => {},
    options?: ActorOptions,
  ) {
    super(options)
  }
  protected handle(m: string) {
    this.seen.push(m)
    return this.behave(m, this)
  }
  run() {
    this.setStatus('running')
  }
}

describe('Actor', () => {
  it('should handle synchronous messages at once, in order, including ones sent while handling', () => {
    const a = new Recorder((m, self) => {
      if (m === 'a') self.send('c')
    })
    a.send('a')
    a.send('b')
    expect(a.seen).toEqual(['a', 'c', 'b'])
    expect(a.queued).toBe(0)
  })

  it('should hold the mailbox while an async handler runs', async () => {
    let release!: () => void
    let handledNext!: () => void
    const nextHandled = new Promise<void>((resolve) => (handledNext = resolve))
    const a = new Recorder((m) => {
      if (m === 'slow') return new Promise<void>((r) => (release = r))
      if (m === 'next') handledNext()
    })
    a.send('slow')
    a.send('next')
    expect(a.seen).toEqual(['slow'])
    expect(a.queued).toBe(1)
    release()
    await nextHandled
    expect(a.seen).toEqual(['slow', 'next'])
  })

  it('should move to failed, report once, and drop its mailbox when a handler throws or rejects', async () => {
    const failures: unknown[] = []
    const a = new Recorder(
      (m) => {
        if (m === 'boom') throw new Error('boom')
      },
      { onFailure: (e) => failures.push(e) },
    )
    a.run()
    a.send('boom')
    expect(a.status).toBe('failed')
    expect(a.send('after')).toBe(false)
    expect(failures).toHaveLength(1)
    let reported!: () => void
    const failureReported = new Promise<void>((resolve) => (reported = resolve))
    const b = new Recorder(async () => Promise.reject(new Error('later')), {
      onFailure: (e) => (failures.push(e), reported()),
    })
    b.send('x')
    b.send('y')
    await failureReported
    expect(b.status).toBe('failed')
    expect(b.seen).toEqual(['x'])
  })

  it('should refuse messages beyond its mailbox bound', () => {
    const a = new Recorder(() => new Promise<void>(() => {}), { maxQueue: 2 })
    expect([a.send('1'), a.send('2'), a.send('3'), a.send('4')]).toEqual([true, true, true, false])
  })

  it('should report only real status changes', () => {
    const a = new Recorder()
    const changes: string[] = []
    a.onStatusChange((s) => changes.push(s))
    a.run()
    a.run()
    expect(changes).toEqual(['running'])
  })
})
