/** The page's Clock in a browser: Date.now and the window's timers (the server's system clock is an adapter the browser bundle does not import). */
import type { Clock } from '../core/clock'

export const browserClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => ({ id: window.setTimeout(fn, ms) }),
  clearTimeout: (handle) => window.clearTimeout(handle.id),
}
