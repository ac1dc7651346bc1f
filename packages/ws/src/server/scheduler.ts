/**
 * The scheduler: per-model batched ticks. A tick runs whenever work is pending (on
 * `setImmediate`): in each round every stream whose next operation can run feeds at most one
 * input step to its model's batcher (or runs its reset/snapshot/restore, in order), every batcher
 * flushes — one batched `cell.step` per model — and outputs go back as they are produced. Rounds
 * repeat within the tick while work is ready (a decode loop's next character, queued inputs), for
 * up to {@link TICK_BUDGET_MS}: a stream generating alone runs several steps per tick, and each
 * socket's output of the tick leaves in one write. With many streams one round fills the budget,
 * as one tick did before.
 *
 * Session models (no cell, no batcher): a stream's queued input is its model's work, an Observable
 * subscribed when it reaches the head of the stream's queue (at most one per stream per round, so
 * other streams and sockets get their turn between searches); its values are the stream's outputs.
 *
 * Failures stay with their stream: if feeding, stepping or encoding one stream throws, that stream
 * gets a typed error and is closed; every other stream steps on.
 */
import { RxrnnError, type BatchResult, type IoRow } from '@rxrnn/core';
import { wsError, WsErrorCodes, MAX_SEQ, type ServerMessage } from '../protocol.js';
import { encodeOutputFrame } from '../frames.js';
import type { ServerOptions } from '../options.js';
import type { Metrics } from '../metrics.js';
import type { Op, Stream, StreamConnection as Connection, StreamHosting as Hosting, StreamTag as Tag } from './stream.js';

/** Longest a tick keeps running rounds while work is ready, in ms (messages wait meanwhile). */
export const TICK_BUDGET_MS = 2;

export class Scheduler {
  /** Streams with operations queued or a step in flight. */
  private readonly busy = new Set<Stream>();
  /** Sockets whose output of this tick is held for one write. */
  private readonly held = new Set<Connection>();
  private scheduled = false;
  private ticking = false;

  constructor(
    private readonly hosting: Hosting,
    private readonly metrics: Metrics,
    private readonly opts: ServerOptions,
  ) {}

  /** The stream has new work: run a tick soon. */
  wake(s: Stream): void {
    this.busy.add(s);
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.tick());
  }

  /** Whether any stream on a live socket still has work (draining waits for this). */
  get working(): boolean {
    for (const s of this.busy) if (!s.conn.closed && s.busy) return true;
    return false;
  }

  /** The stream ends: out of its batcher, its queue dropped, off its socket. */
  leave(s: Stream): void {
    if (s.session) s.model.batcher!.leave(s.session);
    const running = s.running;
    s.running = null;
    running?.unsubscribe(); // a session model's work: its Observable frees what it holds
    s.run?.close?.();
    s.model.inFlight.delete(s);
    s.clear();
    this.busy.delete(s);
    s.conn.streams.delete(s.id);
  }

  /** Send from inside a tick: held until the tick ends. */
  private send(c: Connection, msg: ServerMessage | string | Uint8Array): void {
    if (this.ticking && !this.held.has(c)) {
      c.hold();
      this.held.add(c);
    }
    c.send(msg);
  }

  /** Close a stream on an error of its own: a typed error frame, then `closed { reason: "error" }`. */
  fail(s: Stream, e: unknown): void {
    const err = e instanceof RxrnnError ? e : wsError(WsErrorCodes.INTERNAL, 'step', 'stream', 'a step that succeeds', e instanceof Error ? e.message.slice(0, 200) : String(e));
    if (!s.conn.streams.has(s.id)) return;
    this.leave(s);
    s.conn.sendError(err, s.id);
    this.send(s.conn, { type: 'closed', stream: s.id, reason: 'error' });
  }

  private tick(): void {
    this.scheduled = false;
    this.ticking = true;
    const until = performance.now() + TICK_BUDGET_MS;
    try {
      while (this.round() > 0 && this.ready() && performance.now() < until);
    } finally {
      this.ticking = false;
      for (const c of this.held) {
        c.release();
        c.checkPressure();
      }
      this.held.clear();
    }
    if (this.ready()) this.schedule();
  }

  /** Is some stream able to run an operation now? */
  private ready(): boolean {
    for (const s of this.busy) if (!s.inFlight && !s.conn.paused && !s.conn.closed && s.peek()) return true;
    return false;
  }

  /** One round: feed every ready stream, step every model once. Returns the stream steps run. */
  private round(): number {
    for (const s of this.busy) {
      if (s.conn.paused || s.conn.closed) continue;
      try {
        this.feed(s);
      } catch (e) {
        this.fail(s, e);
        continue;
      }
      if (!s.busy) this.busy.delete(s);
    }
    let stepped = 0;
    for (const h of this.hosting.models.values()) {
      if (!h.batcher) continue; // a session model: its work runs in feed
      const n = h.batcher.pending;
      if (n === 0) continue;
      const before = h.batcher.stats.steps;
      let results: BatchResult<Tag>[];
      try {
        results = h.batcher.flush();
      } catch (e) {
        for (const s of [...h.inFlight]) this.fail(s, e);
        continue;
      }
      this.metrics.batchedSteps += h.batcher.stats.steps - before;
      for (let i = 0; i < n; i += this.opts.maxBatch) this.metrics.batchSize.observe(Math.min(this.opts.maxBatch, n - i));
      for (const r of results) {
        try {
          this.deliver(r);
        } catch (e) {
          this.fail(r.tag.stream, e);
        }
      }
      stepped += results.length;
    }
    return stepped;
  }

  /** Hand the batcher the stream's next input row. */
  private push(s: Stream, row: IoRow, t0: number): void {
    s.model.batcher!.push(s.session!, row.x, { stream: s, row, t0 }, { extras: s.extras !== null });
    s.inFlight = true;
    s.model.inFlight.add(s);
  }

  /** Run the stream's leading control operations; feed its next input step to the batcher. */
  private feed(s: Stream): void {
    while (!s.inFlight) {
      const op = s.peek();
      if (!op) return;
      switch (op.kind) {
        case 'step':
          if (s.seq > MAX_SEQ) return this.fail(s, wsError(WsErrorCodes.LIMIT, 'step', 'seq', `at most ${MAX_SEQ + 1} steps per stream (seq is a u32)`, 'one more step'));
          return this.push(s, op.row, op.t0);
        case 'loop': {
          if (op.left > 0 && !s.last) {
            s.pop();
            s.conn.sendError(wsError(WsErrorCodes.STATE, op.name, 'stream', 'a stream that has stepped at least once (a decode loop starts from its last output)', 'a stream with no output yet'), s.id, op.req);
            break;
          }
          const row = op.left > 0 ? op.loop.next(s.last!) : null;
          if (!row) {
            s.pop();
            this.send(s.conn, { type: 'ack', stream: s.id, of: op.name, seq: s.seq, req: op.req });
            break;
          }
          if (s.seq > MAX_SEQ) return this.fail(s, wsError(WsErrorCodes.LIMIT, op.name, 'seq', `at most ${MAX_SEQ + 1} steps per stream (seq is a u32)`, 'one more step'));
          return this.push(s, row, op.t0);
        }
        case 'run':
          this.run(s, op);
          return; // one session work per stream per round: the tick's budget is checked between rounds
        case 'reset':
          s.pop();
          s.model.batcher!.reset(s.session!);
          s.io?.reset?.();
          s.last = null;
          this.send(s.conn, { type: 'ack', stream: s.id, of: 'reset', seq: s.seq, req: op.req });
          break;
        case 'snapshot':
          s.pop();
          this.send(s.conn, { type: 'snapshot', stream: s.id, snapshot: s.model.batcher!.snapshot(s.session!), seq: s.seq, last: s.last ? Array.from(s.last) : undefined, req: op.req });
          break;
        case 'restore':
          s.pop();
          try {
            s.model.batcher!.restore(s.session!, op.snapshot);
            if (op.seq !== undefined) s.seq = op.seq;
            s.last = op.last;
            s.io?.reset?.();
            this.send(s.conn, { type: 'ack', stream: s.id, of: 'restore', seq: s.seq, req: op.req });
          } catch (e) {
            s.conn.sendError(e, s.id, op.req);
          }
          break;
      }
    }
  }

  /**
   * Run a session model's work: subscribe to it; each value is an output message (with the
   * stream's next `seq`); its end pops the operation and lets the stream's next one run; its error
   * is the stream's typed error frame (the stream stays open: a session's work holds no state
   * between inputs). The stream is in flight meanwhile, so its later inputs wait their turn.
   */
  private run(s: Stream, op: Extract<Op, { kind: 'run' }>): void {
    s.inFlight = true;
    let ended = false;
    const end = (e?: unknown) => {
      if (ended) return;
      ended = true;
      s.running = null;
      if (!s.conn.streams.has(s.id) || s.peek() !== op) return; // closed meanwhile
      s.inFlight = false;
      s.pop();
      if (e !== undefined) s.conn.sendError(e instanceof RxrnnError ? e : wsError(WsErrorCodes.INTERNAL, 'input', 'stream', 'work that succeeds', e instanceof Error ? e.message.slice(0, 200) : String(e)), s.id, op.req);
      if (s.busy) this.wake(s);
    };
    const sub = op.work.subscribe({
      next: (fields) => {
        if (ended || !s.conn.streams.has(s.id)) return;
        if (s.seq > MAX_SEQ) return this.fail(s, wsError(WsErrorCodes.LIMIT, 'input', 'seq', `at most ${MAX_SEQ + 1} outputs per stream (seq is a u32)`, 'one more output'));
        const seq = s.seq++;
        this.metrics.streamSteps++;
        const body = JSON.stringify(fields);
        this.send(s.conn, `{"type":"output","stream":${s.id},"seq":${seq}${body === '{}' ? '}' : ',' + body.slice(1)}`);
      },
      error: (e) => end(e ?? new Error('error')),
      complete: () => {
        if (!ended) this.metrics.latency.observe((performance.now() - op.t0) / 1000);
        end();
      },
    });
    if (ended) sub.unsubscribe();
    else s.running = sub;
  }

  private deliver(r: BatchResult<Tag>): void {
    const s = r.tag.stream;
    s.model.inFlight.delete(s);
    if (!r.session.active || s.conn.closed) return; // the stream closed meanwhile
    s.inFlight = false;
    const op = s.peek();
    if (op?.kind === 'step') s.pop();
    else if (op?.kind === 'loop') op.left--;
    if (r.error) return this.fail(s, wsError(WsErrorCodes.INTERNAL, 'step', 'stream', 'a step that succeeds', r.error.message.slice(0, 200)));
    const seq = s.seq++;
    s.last = r.y;
    this.metrics.streamSteps++;
    if (s.binary && s.outputs) this.send(s.conn, encodeOutputFrame(s.id, seq, r.y));
    const fields = JSON.stringify(s.io!.encode({ row: r.tag.row, y: r.y, extras: r.extras }, { y: s.outputs && !s.binary, extras: s.extras }));
    const empty = fields === '{}';
    // {"type":"output","stream":…,"seq":…, then the adapter's fields}: the bytes JSON.stringify of the whole would give.
    if (!s.binary || !empty) this.send(s.conn, `{"type":"output","stream":${s.id},"seq":${seq}${empty ? '}' : ',' + fields.slice(1)}`);
    this.metrics.latency.observe((performance.now() - r.tag.t0) / 1000);
  }
}
