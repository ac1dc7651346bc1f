/**
 * Requests and their replies: each request carries a fresh `req` that the server echoes in its
 * reply (`opened`, `ack`, `snapshot`, `closed`, `error`), which settles the request's promise.
 * Automatic requests (the reconnect snapshots) are settled without anyone waiting.
 */
export class Requests {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  private readonly auto = new Set<number>();

  /** A request id whose reply someone awaits: the promise settles with the reply. */
  open<T>(send: (req: number) => void): Promise<T> {
    const req = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(req, { resolve: resolve as (v: never) => void, reject });
      send(req);
    });
  }

  /** A request id whose reply nobody awaits. */
  automatic(): number {
    const req = this.next++;
    this.auto.add(req);
    return req;
  }

  /** Whether a reply to `req` is awaited (not automatic, not settled). */
  awaits(req: number | undefined): boolean {
    return req !== undefined && this.pending.has(req);
  }

  /** Settle `req` with `value` (a no-op for automatic and unknown ids). */
  resolve(req: number | undefined, value: unknown): void {
    if (req === undefined || this.auto.delete(req)) return;
    const p = this.pending.get(req);
    if (!p) return;
    this.pending.delete(req);
    p.resolve(value as never);
  }

  /** Reject `req`; true if someone was waiting for it. */
  reject(req: number | undefined, err: Error): boolean {
    const p = req === undefined ? undefined : this.pending.get(req);
    if (!p) return false;
    this.pending.delete(req!);
    p.reject(err);
    return true;
  }

  rejectAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
