/** Clock port: time and timers as a dependency, so actors and rate limits are testable without sleeping. */
export type { Clock, TimerHandle } from '../core/clock'
