/** Inbound limits of one connection: a message rate (token bucket), a budget of refused messages, and an error budget. */
import { createBucket, take, type TokenBucket } from './token-bucket'

export interface InboundLimits {
  /** Sustained client messages per second; also the burst. */
  messagesPerSecond: number
  /** Protocol errors (bad JSON, unknown action, refused subscribe…) allowed per `errorWindowMs` before 4505. @default 20 */
  errorBudget?: number
  /** @default 60_000 */
  errorWindowMs?: number
}

export interface InboundPolicy {
  readonly messages: TokenBucket
  /** Refused messages allowed before the connection is closed 4004: two seconds' worth, refilling at half the rate. */
  readonly refusals: TokenBucket
  readonly errors: TokenBucket
  /** When the last RATE_LIMITED error was sent, so a flood gets one notice per second, not one per message. */
  readonly lastNoticeAt: number
}

const rateNoticeIntervalMs = 1000

export function createInboundPolicy(limits: InboundLimits, now: number): InboundPolicy {
  const rate = limits.messagesPerSecond
  const budget = limits.errorBudget ?? 20
  const windowMs = limits.errorWindowMs ?? 60_000
  return {
    messages: createBucket(rate, rate, now),
    refusals: createBucket(2 * rate, rate / 2, now),
    errors: createBucket(budget, (budget * 1000) / windowMs, now),
    lastNoticeAt: -Infinity,
  }
}

export type FrameVerdict =
  | { kind: 'accept' }
  /** Refused; `notify` says whether to send a RATE_LIMITED error now. */
  | { kind: 'refuse'; notify: boolean; retryAfterMs: number }
  /** Refusals persisted beyond the budget: close 4004. */
  | { kind: 'close' }

/** Decides about one inbound frame arriving at `now`. */
export function admitFrame(p: InboundPolicy, now: number): { policy: InboundPolicy; verdict: FrameVerdict } {
  const msg = take(p.messages, now)
  if (msg.ok) return { policy: { ...p, messages: msg.bucket }, verdict: { kind: 'accept' } }
  const refusal = take(p.refusals, now)
  if (!refusal.ok) return { policy: { ...p, messages: msg.bucket, refusals: refusal.bucket }, verdict: { kind: 'close' } }
  const notify = now - p.lastNoticeAt >= rateNoticeIntervalMs
  return {
    policy: { ...p, messages: msg.bucket, refusals: refusal.bucket, lastNoticeAt: notify ? now : p.lastNoticeAt },
    verdict: { kind: 'refuse', notify, retryAfterMs: msg.retryAfterMs },
  }
}

/** Counts one protocol error; `exhausted` means the connection should be closed 4505. */
export function countError(p: InboundPolicy, now: number): { policy: InboundPolicy; exhausted: boolean } {
  const r = take(p.errors, now)
  return { policy: { ...p, errors: r.bucket }, exhausted: !r.ok }
}
