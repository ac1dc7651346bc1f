/**
 * A token bucket: `rate` tokens per second, holding at most one second's worth (the burst). A
 * request for `n` is checked first and taken only once the work it pays for is accepted, so a
 * rejected message costs its sender nothing.
 *
 * ```ts
 * const b = new TokenBucket(20);
 * b.check(5); // throws when fewer than 5 tokens are left
 * b.take(5);
 * ```
 */
export class TokenBucket {
  private tokens: number;
  private refilled = performance.now();

  constructor(
    readonly rate: number,
    /** Throws the caller's error for a request of `n` that does not fit. */
    private readonly refuse: (n: number) => never = () => {
      throw new Error('rate limit');
    },
  ) {
    this.tokens = rate;
  }

  /** Throw (via `refuse`) unless `n` tokens are available now. */
  check(n: number): void {
    const now = performance.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilled) / 1000) * this.rate);
    this.refilled = now;
    if (n > this.tokens) this.refuse(n);
  }

  /** Take `n` tokens (after a successful {@link check}). */
  take(n: number): void {
    this.tokens -= n;
  }
}
