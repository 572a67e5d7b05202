/** Waiting in tests on what happens, never on time: conditions re-checked on every reported change, polling where nothing reports, the injected clock's own timers. */
import type { Clock } from '../../src/ports/clock'

/** How long a wait may take before it fails the test: a bound for failure on a loaded machine, never a wait itself. */
export const defaultWaitMs = 10_000

/** A promise with its resolve and reject handed out, for callbacks that settle it. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

/**
 * Conditions re-checked each time the code under test reports a change: call `changed()` from its
 * callbacks (a handler, a socket's message event, a fake's method) and `until(condition)` resolves
 * as soon as the condition holds, without polling.
 */
export class Changes {
  private readonly waiters = new Set<() => void>()

  /** Something the conditions read may have changed: re-check them. */
  changed(): void {
    for (const check of [...this.waiters]) check()
  }

  until(condition: () => boolean, label: string, timeoutMs = defaultWaitMs): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for: ${label}`))
      }, timeoutMs)
      const check = () => {
        if (!condition()) return
        clearTimeout(timer)
        this.waiters.delete(check)
        resolve()
      }
      this.waiters.add(check)
    })
  }
}

/**
 * Polls `condition` every 10 ms until it holds; throws with `label` after `timeoutMs`. For state
 * nothing reports a change of (Redis keys, another process, a server's counters); prefer an event.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  label: string,
): Promise<void> {
  await waitForValue(async () => await condition(), (ok) => ok, timeoutMs, label)
}

/** Polls `read` every 10 ms until `accept(value)`; returns that value, or throws with `label` after `timeoutMs`. */
export async function waitForValue<T>(
  read: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
  label: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (accept(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${label}`)
    await Bun.sleep(10)
  }
}

/** Resolves when `clock` (the one the app under test runs on) reaches `at`, by the clock's own timer. */
export function clockReaches(clock: Clock, at: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, Math.max(0, at - clock.now())))
}

/**
 * Runs every promise callback already queued (one macrotask turn). Only for code whose every await
 * is on an in-memory promise (fakes, memory adapters) driven by a SimulatedClock: there "all that
 * can happen now" is a fixed point reached in one turn, not a matter of time. Never for I/O.
 */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Settles with `promise`, or rejects with `label` when it has not settled within `timeoutMs`. */
export function within<T>(promise: Promise<T>, timeoutMs: number, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for: ${label}`)), timeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
