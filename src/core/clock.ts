/** Clock: time and timers as a value passed in, so actors, limits and the browser client are testable without sleeping. */

export type TimerHandle = { readonly id: number }

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}
