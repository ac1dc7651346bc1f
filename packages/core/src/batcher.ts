/**
 * `createBatcher`: many independent streams of one cell, stepped together, one batched step per tick.
 *
 * A server holds many live streams on the same model. Stepping each alone is batch 1, which is
 * mostly kernel dispatch; so the batcher gathers the pending input of every session, stacks the
 * inputs and the sessions' states along the batch axis, runs one `cell.step` inside `tf.tidy`,
 * and scatters the outputs and the next states back:
 *
 *     X = [x¹; x²; …; xᴮ]  [B, X],   S = [s¹; s²; …; sᴮ]  [B, ·],   (Y, S') = step(S, X),
 *     yᵇ = Y[b]  [1, Y],   sᵇ ← S'[b]  [1, ·]
 *
 * Rows of a batched step do not interact (every cell is row-wise in the batch), so each session
 * gets the output it would have had stepped alone. Sessions join and leave between any two ticks.
 * Between steps a session's state is kept as plain Float32Array rows, not tensors: stacking is one
 * upload per state entry and scattering one read-back per entry, where per-session tensors would
 * cost a concat and B slice kernels per entry (~4 µs each on wasm; at B = 64 that was most of the
 * step). It also means an idle session holds no tensors at all. Failures stay with their session:
 * a bad input is refused at `push` (nothing queued), a snapshot is validated before anything is
 * allocated, and a batched step that fails is retried one session at a time, so only the session
 * whose step fails gets an `error` result. Transport-free: no rxjs, no
 * sockets, just tfjs and bookkeeping; the caller decides when to `flush()` (the WebSocket server
 * does it on `setImmediate` whenever inputs are pending).
 *
 * ```ts
 * const b = createBatcher(cell, { maxBatch: 64 });
 * const s1 = b.join(), s2 = b.join();
 * b.push(s1, new Float32Array([1, 0]), 'a');
 * b.push(s2, new Float32Array([0, 1]), 'b');
 * for (const r of b.flush()) console.log(r.tag, r.y); // one batched step for both
 * b.leave(s1); b.leave(s2);
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import type { Cell, State } from './cell.js';
import { rxrnnError, ErrorCodes, describe } from './errors.js';
import { checkFiniteFloat32 } from './float32.js';
import { readSnapshot, stateTemplate, type StateSnapshot } from './snapshot.js';

export interface BatcherOptions {
  /** Most sessions per batched step; more pending sessions make several steps per tick. Default 64. 1 turns batching off. */
  maxBatch?: number;
  /** Most inputs queued per session; `push` beyond it throws `E_STATE`. Default 1024. */
  maxQueue?: number;
}

/** A stream's handle in a batcher. Opaque apart from its id and how many inputs wait. */
export interface BatchSession {
  readonly id: number;
  /** Inputs queued and not yet stepped. */
  readonly pending: number;
  /** False after `leave`. */
  readonly active: boolean;
}

/** The result of one session's step. `y` and `extras` rows are copies owned by the receiver. */
export interface BatchResult<T> {
  session: BatchSession;
  tag: T;
  /** The output row `[Y]`. */
  y: Float32Array;
  /** Extras rows (gate activations…) by name, when the input asked for them. */
  extras?: Record<string, Float32Array>;
  /** Set instead of `y` when this session's step failed (its state is unchanged, its input consumed; other sessions are not affected). */
  error?: Error;
}

/** Counters for metrics. */
export interface BatcherStats {
  sessions: number;
  pending: number;
  steps: number;
  rows: number;
  /** Histogram of batch sizes: count of steps by B. */
  batchSizes: Map<number, number>;
  /** Session steps that failed (reported as a result's `error`). */
  errors: number;
}

export interface Batcher<T> {
  readonly cell: Cell;
  /** Start a session with the cell's initial state (or a restored snapshot). */
  join(snapshot?: StateSnapshot): BatchSession;
  /** End a session: dispose its state, drop its queue. Idempotent. */
  leave(session: BatchSession): void;
  /** Queue one input `[X]` for the session's next step. Throws (and queues nothing) on a wrong size, non-finite values or a full queue. */
  push(session: BatchSession, x: Float32Array, tag: T, options?: { extras?: boolean }): void;
  /**
   * Run one step for every session with a pending input (oldest input first), in batches of at most
   * `maxBatch`. Never throws: a session whose step fails gets a result with `error`, the others their outputs.
   */
  flush(): BatchResult<T>[];
  /** Sessions with queued inputs. */
  readonly pending: number;
  /** Back to the initial state; drops nothing queued. */
  reset(session: BatchSession): void;
  /** The session's state as a snapshot (batch 1). */
  snapshot(session: BatchSession): StateSnapshot;
  /** Replace the session's state by a snapshot (batch 1, checked against the cell before anything is allocated). */
  restore(session: BatchSession, snapshot: unknown): void;
  readonly stats: BatcherStats;
  /** Leave every session. The cell is not disposed (the caller owns it). */
  dispose(): void;
}

interface Pending<T> {
  x: Float32Array;
  tag: T;
  extras: boolean;
}

/** A state of batch 1 as host memory: per entry, its shape `[1, …]` and values. */
type Rows = Record<string, { shape: number[]; data: Float32Array }>;

interface SessionImpl<T> extends BatchSession {
  state: Rows | null;
  queue: Pending<T>[];
  head: number;
}

const FN = 'createBatcher';

export function createBatcher<T = unknown>(cell: Cell, options: BatcherOptions = {}): Batcher<T> {
  if (!cell || typeof cell.step !== 'function' || typeof cell.initialState !== 'function') {
    throw rxrnnError(ErrorCodes.ARGUMENT, FN, 'cell', 'a Cell (with step and initialState)', describe(cell));
  }
  const maxBatch = options.maxBatch ?? 64;
  const maxQueue = options.maxQueue ?? 1024;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw rxrnnError(ErrorCodes.ARGUMENT, FN, 'options.maxBatch', 'a positive integer', describe(maxBatch));
  if (!Number.isInteger(maxQueue) || maxQueue < 1) throw rxrnnError(ErrorCodes.ARGUMENT, FN, 'options.maxQueue', 'a positive integer', describe(maxQueue));
  const X = cell.inputSize;
  const sessions = new Set<SessionImpl<T>>();
  const ready = new Set<SessionImpl<T>>(); // sessions with queued inputs, in arrival order
  let nextId = 1;
  const stats: BatcherStats = { sessions: 0, pending: 0, steps: 0, rows: 0, batchSizes: new Map(), errors: 0 };

  const own = (session: BatchSession, fn: string): SessionImpl<T> => {
    const s = session as SessionImpl<T>;
    if (!sessions.has(s)) throw rxrnnError(ErrorCodes.STATE, fn, 'session', 'a session of this batcher that has not left', describe(session));
    return s;
  };
  const disposeState = (st: State | null) => {
    if (st) for (const t of Object.values(st)) t.dispose();
  };
  /** Read a batch-1 state back into rows and dispose it. */
  const toRows = (st: State): Rows => {
    const out: Rows = {};
    try {
      for (const [k, t] of Object.entries(st)) out[k] = { shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) };
    } finally {
      disposeState(st);
    }
    return out;
  };
  let initialRows: Rows | null = null;
  const initial = (): Rows => {
    initialRows ??= toRows(cell.initialState(1));
    const out: Rows = {};
    for (const [k, r] of Object.entries(initialRows)) out[k] = { shape: r.shape, data: r.data.slice() };
    return out;
  };
  /** A snapshot of batch 1 as rows, validated against the cell before anything is allocated. */
  const restoreOne = (fn: string, snapshot: unknown): Rows => readSnapshot(fn, snapshot, cell.kind, stateTemplate(cell), { batch: 1 }).tensors;

  /**
   * One batched step over `group` (each has a pending input): stack, step, read back. Returns every
   * session's output row and next state rows; changes nothing (throws, with no tensor left) on failure.
   */
  const runGroup = (group: SessionImpl<T>[], items: Pending<T>[]) => {
    const B = group.length;
    const wantExtras = items.some((p) => p.extras);
    const first = group[0].state!;
    const keys = Object.keys(first);
    const result = tf.tidy(() => {
      const xs = new Float32Array(B * X);
      items.forEach((p, b) => xs.set(p.x, b * X));
      const x = tf.tensor2d(xs, [B, X]); // [B, X]
      const state: Record<string, tf.Tensor> = {};
      for (const k of keys) {
        const n = first[k].data.length;
        const rows = new Float32Array(B * n);
        group.forEach((s, b) => rows.set(s.state![k].data, b * n));
        state[k] = tf.tensor(rows, [B, ...first[k].shape.slice(1)]); // [B, ·]
      }
      const [y, next, extras] = cell.step(state, x, { extras: wantExtras }); // y: [B, Y]
      const nextList = keys.map((k) => {
        const t = next[k];
        if (!t || t.size !== B * first[k].data.length) throw rxrnnError(ErrorCodes.STATE, FN, `step().state.${k}`, `a [${B}, ${first[k].shape.slice(1).join(', ')}] entry back from the step`, describe(t));
        return t;
      });
      return { y, next: nextList, extras: wantExtras && extras ? extras : {} };
    });
    try {
      // Read back once per tensor (rows are scattered by the caller).
      const ex: Record<string, { data: Float32Array; n: number }> = {};
      for (const [k, t] of Object.entries(result.extras)) ex[k] = { data: t.dataSync() as Float32Array, n: t.size / B };
      return { keys, Y: result.y.shape[1], ys: result.y.dataSync() as Float32Array, nextData: result.next.map((t) => t.dataSync() as Float32Array), ex };
    } finally {
      // Dispose after every read: an extra or a state entry may be the output tensor itself.
      result.y.dispose();
      for (const t of result.next) t.dispose();
      for (const t of Object.values(result.extras)) t.dispose();
    }
  };

  /**
   * Step `group` and push a result per session. A failed batched step is retried one session at a
   * time, so only the sessions whose own step fails get an `error` (their state unchanged; their
   * input consumed) and every other session gets its output. Never throws.
   */
  const stepGroup = (group: SessionImpl<T>[], out: BatchResult<T>[]) => {
    const B = group.length;
    const items = group.map((s) => s.queue[s.head]);
    let r: ReturnType<typeof runGroup>;
    try {
      r = runGroup(group, items);
    } catch (e) {
      if (B > 1) {
        for (const s of group) stepGroup([s], out);
        return;
      }
      group[0].head++;
      stats.errors++;
      out.push({ session: group[0], tag: items[0].tag, y: new Float32Array(0), error: e instanceof Error ? e : new Error(String(e)) });
      return;
    }
    const { keys, Y, ys, nextData, ex } = r;
    for (let b = 0; b < B; b++) {
      const s = group[b];
      keys.forEach((k, i) => {
        const row = s.state![k];
        const n = row.data.length;
        row.data = nextData[i].slice(b * n, (b + 1) * n);
      });
      s.head++;
      const res: BatchResult<T> = { session: s, tag: items[b].tag, y: ys.slice(b * Y, (b + 1) * Y) };
      if (items[b].extras) {
        res.extras = {};
        for (const [k, { data, n }] of Object.entries(ex)) res.extras[k] = data.slice(b * n, (b + 1) * n);
      }
      out.push(res);
    }
    stats.steps++;
    stats.rows += B;
    stats.batchSizes.set(B, (stats.batchSizes.get(B) ?? 0) + 1);
  };

  const batcher: Batcher<T> = {
    cell,
    join(snapshot) {
      const state = snapshot === undefined ? initial() : restoreOne(`${FN}.join`, snapshot);
      const s: SessionImpl<T> = {
        id: nextId++,
        state,
        queue: [],
        head: 0,
        get pending() {
          return this.queue.length - this.head;
        },
        get active() {
          return this.state !== null;
        },
      };
      sessions.add(s);
      stats.sessions = sessions.size;
      return s;
    },
    leave(session) {
      const s = session as SessionImpl<T>;
      if (!sessions.has(s)) return;
      sessions.delete(s);
      ready.delete(s);
      s.state = null;
      s.queue = [];
      s.head = 0;
      stats.sessions = sessions.size;
    },
    push(session, x, tag, opts = {}) {
      const fn = `${FN}.push`;
      const s = own(session, fn);
      if (!(x instanceof Float32Array)) throw rxrnnError(ErrorCodes.DTYPE, fn, 'x', `a Float32Array of length ${X}`, describe(x));
      if (x.length !== X) throw rxrnnError(ErrorCodes.SIZE, fn, 'x', `${X} values (the cell's input size)`, `${x.length} values`);
      checkFiniteFloat32(fn, 'x', x);
      if (s.pending >= maxQueue) throw rxrnnError(ErrorCodes.STATE, fn, 'session', `at most ${maxQueue} queued inputs`, `${s.pending} queued`);
      s.queue.push({ x: x.slice(), tag, extras: opts.extras === true });
      ready.add(s);
    },
    flush() {
      const out: BatchResult<T>[] = [];
      if (ready.size === 0) return out;
      const now = [...ready];
      for (let i = 0; i < now.length; i += maxBatch) stepGroup(now.slice(i, i + maxBatch), out);
      for (const s of now) {
        if (s.pending === 0) {
          ready.delete(s);
          s.queue = [];
          s.head = 0;
        } else if (s.head > 256) {
          s.queue = s.queue.slice(s.head);
          s.head = 0;
        }
      }
      return out;
    },
    get pending() {
      return ready.size;
    },
    reset(session) {
      const s = own(session, `${FN}.reset`);
      s.state = initial();
    },
    snapshot(session) {
      const s = own(session, `${FN}.snapshot`);
      const tensors: StateSnapshot['tensors'] = {};
      for (const [k, r] of Object.entries(s.state!)) tensors[k] = { shape: r.shape.slice(), data: Array.from(r.data) };
      return { format: 'rxrnn.state', version: 1, kind: cell.kind, batch: 1, tensors };
    },
    restore(session, snapshot) {
      const s = own(session, `${FN}.restore`);
      s.state = restoreOne(`${FN}.restore`, snapshot);
    },
    get stats() {
      let pending = 0;
      for (const s of ready) pending += s.pending;
      stats.pending = pending;
      return stats;
    },
    dispose() {
      for (const s of [...sessions]) batcher.leave(s);
    },
  };
  return batcher;
}
