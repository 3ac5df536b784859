/**
 * One token bucket, refilled continuously: the rate limit of the hosted transport (per
 * person) and of both simulators (per key, per model). Callers keep the buckets where their
 * keys live and turn what is missing into their own 429.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  /** Starts full; `refill` tokens come back every `everyMs`. */
  constructor(
    private readonly capacity: number,
    private readonly refill: { tokens: number; everyMs: number },
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.at = nowMs;
  }

  /** Takes `count` tokens, all or none: 0 when taken, else how many tokens are missing. */
  take(count: number, nowMs: number): number {
    const refilled = ((nowMs - this.at) / this.refill.everyMs) * this.refill.tokens;
    this.tokens = Math.min(this.capacity, this.tokens + refilled);
    this.at = nowMs;
    if (this.tokens >= count) {
      this.tokens -= count;
      return 0;
    }
    return count - this.tokens;
  }
}
