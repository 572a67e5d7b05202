/** Token buckets as plain values: rate limits and error budgets that refill over time, with `now` passed in. */

export interface TokenBucket {
  /** Tokens available now (fractional while refilling). */
  readonly tokens: number
  /** Most tokens the bucket holds (the burst). */
  readonly capacity: number
  /** Tokens added per millisecond. */
  readonly refillPerMs: number
  /** When `tokens` was last computed. */
  readonly at: number
}

/** A full bucket holding `capacity` tokens that refills `perSecond` tokens each second. */
export function createBucket(capacity: number, perSecond: number, now: number): TokenBucket {
  return { tokens: capacity, capacity, refillPerMs: perSecond / 1000, at: now }
}

/** The bucket as of `now` (refilled, capped at capacity). */
export function refill(bucket: TokenBucket, now: number): TokenBucket {
  if (now <= bucket.at) return bucket
  const tokens = Math.min(bucket.capacity, bucket.tokens + (now - bucket.at) * bucket.refillPerMs)
  return { ...bucket, tokens, at: now }
}

/**
 * Takes `n` tokens if available. On refusal the bucket is unchanged apart from refill, and
 * `retryAfterMs` says when `n` tokens will be there.
 */
export function take(
  bucket: TokenBucket,
  now: number,
  n = 1,
): { ok: boolean; bucket: TokenBucket; retryAfterMs: number } {
  const b = refill(bucket, now)
  if (b.tokens >= n) return { ok: true, bucket: { ...b, tokens: b.tokens - n }, retryAfterMs: 0 }
  const missing = n - b.tokens
  const retryAfterMs = b.refillPerMs > 0 ? Math.ceil(missing / b.refillPerMs) : Infinity
  return { ok: false, bucket: b, retryAfterMs }
}
