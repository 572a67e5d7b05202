/**
 * Test preload that moves the wall clock: with FAKE_NOW=<ISO instant> the process's Date.now() and
 * `new Date()` start at that instant and run on at the real pace (timers are untouched). Proves the
 * suite does not depend on the hour it runs at:
 *   FAKE_NOW=2026-12-05T15:00:00Z bun test --preload ./test/support/fake-now.ts test/integration/…
 * (a Saturday; also try a holiday, 03:00 New York, 15:59 New York on an early-close day).
 */

const target = process.env.FAKE_NOW
if (target) {
  const at = Date.parse(target)
  if (!Number.isFinite(at)) throw new Error(`FAKE_NOW must be an ISO-8601 instant, got "${target}"`)
  const RealDate = Date
  const offset = at - RealDate.now()
  const shifted = () => RealDate.now() + offset
  class FakeDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(shifted())
      else super(...(args as [string | number | Date]))
    }
    static override now(): number {
      return shifted()
    }
  }
  globalThis.Date = FakeDate as DateConstructor
  console.error(`fake-now: the wall clock reads ${new RealDate(shifted()).toISOString()}`)
}

export {}
